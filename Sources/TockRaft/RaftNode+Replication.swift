extension RaftNode {
    /// Appends one entry of the current term and sends it to everyone.
    @discardableResult
    mutating func appendAndBroadcast(kind: Entry.Kind, data: [UInt8]) -> UInt64 {
        let entry = Entry(term: term, index: log.lastIndex + 1, kind: kind, data: data)
        log.append(entry)
        if kind == .configChange { membershipChanged() }
        // A single voter commits as soon as the entry is durable (see advance).
        broadcastAppend()
        return entry.index
    }

    /// After a membership change enters the leader's log: track new members, forget removed ones.
    mutating func membershipChanged() {
        recomputeMembership()
        for peer in membership.all where peer != id && progress[peer] == nil {
            progress[peer] = Progress(next: log.lastIndex, maxInflight: configuration.maxInflightAppends)
        }
        for peer in progress.keys where !membership.all.contains(peer) { progress[peer] = nil }
    }

    mutating func broadcastAppend() {
        for peer in progress.keys { sendAppend(to: peer) }
    }

    /// Heartbeats carry the newest unconfirmed read round, so every one of them can confirm pending reads.
    mutating func broadcastHeartbeat() {
        let round = readIndex.roundToConfirm
        for peer in progress.keys {
            // Never past what the follower holds: it would commit entries it may not have (or has from another term).
            let commit = min(progress[peer]?.match ?? 0, log.committed)
            send(Message(kind: .heartbeat, from: id, to: peer, term: term, commit: commit, context: round))
        }
    }

    /// Sends `peer` the entries it lacks, or the snapshot when they were compacted away.
    mutating func sendAppend(to peer: NodeID) {
        guard var pr = progress[peer], !pr.isPaused else { return }
        let previous = pr.next - 1
        guard let previousTerm = log.term(at: previous),
            let entries = log.entries(
                from: pr.next, limit: configuration.maxEntriesPerAppend,
                maxBytes: configuration.maxAppendBytes)
        else {
            guard let snapshot = latestSnapshot else { return }
            pr.state = .snapshot(index: snapshot.index, sentTicksAgo: 0)
            pr.inflight.removeAll()
            pr.next = snapshot.index + 1
            progress[peer] = pr
            send(Message(kind: .snapshot, from: id, to: peer, term: term, snapshot: snapshot))
            return
        }
        if entries.isEmpty, case .replicate = pr.state, pr.match == log.lastIndex {
            // Nothing new: only the commit index may have moved, which the next message will carry.
            send(
                Message(
                    kind: .append, from: id, to: peer, term: term, index: previous, logTerm: previousTerm,
                    commit: log.committed))
            return
        }
        switch pr.state {
        case .replicate:
            if let last = entries.last {
                pr.next = last.index + 1
                pr.inflight.append(last.index)
            }
        case .probe:
            pr.probeSent = true
        case .snapshot:
            break
        }
        progress[peer] = pr
        send(
            Message(
                kind: .append, from: id, to: peer, term: term, index: previous, logTerm: previousTerm,
                entries: entries, commit: log.committed))
    }

    /// Raft §5.3/§5.4.2: advance the commit index to the highest index stored on a quorum of voters, but only if
    /// that entry is of the current term (Figure 8). The leader counts only what it has itself made durable.
    mutating func maybeCommit() -> Bool {
        let matches = membership.voters.map { $0 == id ? log.persisted : progress[$0]?.match ?? 0 }.sorted(by: >)
        guard matches.count >= membership.quorum else { return false }
        let candidate = matches[membership.quorum - 1]
        guard candidate > log.committed, log.term(at: candidate) == term else { return false }
        log.commit(to: candidate)
        if !membership.voters.contains(id), log.committed >= pendingMembershipIndex {
            // A leader that removed itself leaves once the removal is committed (Raft thesis §4.2.2).
            becomeFollower(term: term, leader: nil)
        }
        releaseReadsAwaitingCommit()
        return true
    }
}
