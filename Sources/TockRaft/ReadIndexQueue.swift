/// The leader's reads waiting for a quorum to confirm it still leads (Raft thesis §6.4; etcd's readOnly queue with
/// ReadOnlySafe).
///
/// Reads are confirmed in rounds. A round is numbered by the leader, not by the driver's contexts: the number goes
/// out on heartbeats and comes back on their responses, and because rounds only grow, a follower that echoes round
/// `r` has acknowledged this leader after every read of round `r` or earlier was requested. That makes one response
/// confirm all earlier reads at once, and keeps the check sound when the driver reuses a context or a late
/// response to an old heartbeat arrives after its round was served.
struct ReadIndexQueue: Sendable {
    struct Pending: Sendable, Equatable {
        var context: UInt64
        var index: UInt64
        var round: UInt64
    }

    /// Requested before the leader had committed an entry of its own term, so its commit index may still be below
    /// what an earlier leader committed: these get their read index when that first commit happens.
    private(set) var awaitingCommit: [UInt64] = []
    /// Ordered by round, oldest first.
    private(set) var pending: [Pending] = []
    /// The last round handed out. Never reset: numbers stay unique for the life of the node, so a round of an
    /// earlier leadership can never be mistaken for a current one (responses of other terms are dropped anyway).
    private(set) var lastRound: UInt64 = 0
    /// The highest round each peer has echoed since this node last became leader.
    private var echoed: [NodeID: UInt64] = [:]

    /// The round heartbeats should carry: the newest one still unconfirmed (0: none). Every heartbeat carries it,
    /// so a lost heartbeat or response is made up for by the next one.
    var roundToConfirm: UInt64 { pending.last?.round ?? 0 }

    mutating func awaitCommit(context: UInt64) {
        awaitingCommit.append(context)
    }

    /// Opens a round for `contexts`, all reading at `index`; it becomes `roundToConfirm`.
    mutating func startRound(contexts: [UInt64], index: UInt64) {
        lastRound += 1
        for context in contexts { pending.append(Pending(context: context, index: index, round: lastRound)) }
    }

    /// Hands over the reads that were waiting for the leader's first commit of its term.
    mutating func takeAwaitingCommit() -> [UInt64] {
        defer { awaitingCommit = [] }
        return awaitingCommit
    }

    mutating func echo(from peer: NodeID, round: UInt64) {
        // A round never handed out is not an acknowledgement of anything.
        guard round > 0, round <= lastRound else { return }
        echoed[peer] = max(echoed[peer] ?? 0, round)
    }

    /// Removes and returns the reads a quorum of `voters` has confirmed, in request order. The leader acknowledges
    /// every round itself, but counts only while it is a voter.
    mutating func takeConfirmed(leader: NodeID, voters: Set<NodeID>, quorum: Int) -> [ReadState] {
        var confirmed: [ReadState] = []
        while let first = pending.first {
            let acks = voters.filter { $0 == leader || (echoed[$0] ?? 0) >= first.round }.count
            // Rounds are in order, so a later read cannot be confirmed when this one is not.
            guard acks >= quorum else { break }
            confirmed.append(ReadState(index: first.index, context: first.context))
            pending.removeFirst()
        }
        return confirmed
    }

    /// Leadership ended (or begins anew): every waiting read is dropped; the driver times them out.
    mutating func dropAll() {
        awaitingCommit = []
        pending = []
        echoed = [:]
    }
}
