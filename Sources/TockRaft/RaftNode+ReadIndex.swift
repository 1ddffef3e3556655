extension RaftNode {
    /// Asks for a linearizable read (read index, Raft thesis §6.4). Returns false, doing nothing, if this node does
    /// not lead: the driver forwards the read to the leader or fails it.
    ///
    /// On the leader the read index is the commit index now, or, if nothing of the current term is committed yet
    /// (a new leader may not know everything its predecessors committed), the commit index once the term's no-op
    /// commits. The leader then sends a heartbeat round; when a quorum of voters, itself included, has answered it
    /// in this term, `Ready.readStates` holds `ReadState(index:context:)` and the driver answers the read once the
    /// state machine has applied through `index`.
    ///
    /// A read still waiting when this node stops leading (it steps down or sees a newer term) is dropped silently:
    /// no `ReadState` ever comes for it, so the driver must time it out. `context` is the driver's name for the
    /// request and is returned as is; it need not be unique for safety, only for the driver to tell reads apart.
    public mutating func requestRead(context: UInt64) -> Bool {
        guard role == .leader else { return false }
        if committedInCurrentTerm {
            startReadRound(contexts: [context])
        } else {
            readIndex.awaitCommit(context: context)
        }
        return true
    }

    /// The leader's commit index covers everything any earlier leader committed only once it has committed an
    /// entry of its own term (Raft §5.4.2 and thesis §6.4 step 1).
    var committedInCurrentTerm: Bool { log.term(at: log.committed) == term }

    mutating func startReadRound(contexts: [UInt64]) {
        readIndex.startRound(contexts: contexts, index: log.committed)
        broadcastHeartbeat()
        // A group whose only voter is this leader needs no answers.
        serveConfirmedReads()
    }

    /// Called when the leader commits: reads that waited for the first commit of its term get their index now.
    mutating func releaseReadsAwaitingCommit() {
        guard role == .leader, committedInCurrentTerm, !readIndex.awaitingCommit.isEmpty else { return }
        startReadRound(contexts: readIndex.takeAwaitingCommit())
    }

    /// A follower answered a heartbeat carrying read round `round`.
    mutating func readRoundEchoed(by peer: NodeID, round: UInt64) {
        readIndex.echo(from: peer, round: round)
        serveConfirmedReads()
    }

    mutating func serveConfirmedReads() {
        readStates += readIndex.takeConfirmed(leader: id, voters: membership.voters, quorum: membership.quorum)
    }
}
