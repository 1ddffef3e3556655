extension RaftNode {
    /// Handles a message from another node. One that is not `isWellFormed` is dropped.
    public mutating func step(_ m: Message) {
        guard m.to == id, m.isWellFormed else { return }
        if m.term > term {
            if m.kind == .vote || m.kind == .preVote {
                // While this node hears from a leader, a vote request is a disruption (a node that was cut off),
                // unless a leadership transfer asked for it.
                let inLease =
                    configuration.checkQuorum && leader != nil && electionElapsed < configuration.electionTicks
                if inLease && !m.transfer { return }
            }
            switch m.kind {
            case .preVote:
                break  // a pre-vote never changes our term
            case .preVoteResponse where !m.reject:
                break  // we become a candidate, and raise our term, when a quorum grants it
            default:
                let fromLeader = m.kind == .append || m.kind == .heartbeat || m.kind == .snapshot
                becomeFollower(term: m.term, leader: fromLeader ? m.from : nil)
            }
        } else if m.term < term {
            if (configuration.checkQuorum || configuration.preVote) && (m.kind == .append || m.kind == .heartbeat) {
                // A deposed leader learns the newer term from this and steps down; without it, a leader cut off by
                // a partition that pre-vote kept from raising terms would never hear of the new one.
                send(Message(kind: .appendResponse, from: id, to: m.from, term: term))
            } else if m.kind == .preVote {
                send(Message(kind: .preVoteResponse, from: id, to: m.from, term: term, reject: true))
            }
            return
        }

        switch m.kind {
        case .preVote, .vote:
            handleVoteRequest(m)
        default:
            switch role {
            case .leader: stepLeader(m)
            case .preCandidate, .candidate: stepCandidate(m)
            case .follower: stepFollower(m)
            }
        }
    }

    private mutating func handleVoteRequest(_ m: Message) {
        let responseKind: Message.Kind = m.kind == .vote ? .voteResponse : .preVoteResponse
        // Raft §5.2: one vote per term; a pre-vote for a later term promises nothing.
        let canVote = vote == m.from || (vote == nil && leader == nil) || (m.kind == .preVote && m.term > term)
        if canVote && log.isUpToDate(lastIndex: m.index, lastTerm: m.logTerm) {
            // A granted pre-vote echoes the term the candidate would campaign at.
            send(Message(kind: responseKind, from: id, to: m.from, term: m.term))
            if m.kind == .vote {
                electionElapsed = 0
                vote = m.from
            }
        } else {
            send(Message(kind: responseKind, from: id, to: m.from, term: term, reject: true))
        }
    }

    private mutating func stepFollower(_ m: Message) {
        switch m.kind {
        case .append:
            electionElapsed = 0
            leader = m.from
            handleAppend(m)
        case .heartbeat:
            electionElapsed = 0
            leader = m.from
            log.commit(to: m.commit)
            // Echoing the read round tells the leader it still led when this follower answered.
            send(Message(kind: .heartbeatResponse, from: id, to: m.from, term: term, context: m.context))
        case .snapshot:
            electionElapsed = 0
            leader = m.from
            handleSnapshot(m)
        case .timeoutNow:
            if isVoter { campaign(.transfer) }
        default:
            break
        }
    }

    private mutating func stepCandidate(_ m: Message) {
        switch m.kind {
        case .append, .heartbeat, .snapshot:
            // Raft §5.2: a candidate that hears from a leader of its term steps down.
            becomeFollower(term: m.term, leader: m.from)
            stepFollower(m)
        case .preVoteResponse where role == .preCandidate, .voteResponse where role == .candidate:
            votes[m.from] = !m.reject
            let granted = votes.filter { $0.value && membership.voters.contains($0.key) }.count
            let refused = votes.filter { !$0.value && membership.voters.contains($0.key) }.count
            if granted >= membership.quorum {
                if role == .preCandidate { campaign(.election) } else { becomeLeader() }
            } else if refused >= membership.quorum {
                becomeFollower(term: term, leader: nil)
            }
        default:
            break
        }
    }

    private mutating func stepLeader(_ m: Message) {
        guard var pr = progress[m.from] else { return }
        pr.recentActive = true
        switch m.kind {
        case .appendResponse:
            if m.reject {
                pr.next = nextAfterRejection(m, progress: pr)
                pr.becomeProbe()
                progress[m.from] = pr
                sendAppend(to: m.from)
                return
            }
            // A follower can only hold what this leader sent it: an acknowledgement past the end of this log is
            // not from a correct peer, and counting it could commit entries no follower holds.
            guard m.index <= log.lastIndex else { return }
            if m.index > pr.match {
                pr.match = m.index
                pr.next = max(pr.next, m.index + 1)
                if case .replicate = pr.state {} else { pr.inflight.removeAll() }
                pr.state = .replicate
            }
            pr.acknowledge(through: m.index)
            pr.probeSent = false
            if case .replicate = pr.state {} else if m.index >= pr.match { pr.state = .replicate }
            progress[m.from] = pr
            if maybeCommit() {
                broadcastAppend()
            } else if pr.next <= log.lastIndex {
                sendAppend(to: m.from)
            }
            if m.from == transferee, pr.match == log.lastIndex {
                send(Message(kind: .timeoutNow, from: id, to: m.from, term: term))
            }
        case .heartbeatResponse:
            pr.probeSent = false
            // An answer that acknowledged an append may have been lost: the follower is alive, so let one more go
            // rather than wait for acknowledgements that will never come.
            if case .replicate = pr.state, pr.inflight.count >= pr.maxInflight { pr.inflight.removeFirst() }
            progress[m.from] = pr
            if pr.match < log.lastIndex { sendAppend(to: m.from) }
            if m.context != 0 { readRoundEchoed(by: m.from, round: m.context) }
        default:
            progress[m.from] = pr
        }
    }

    /// Fast backtracking: skip straight past the follower's conflicting term instead of one index per round trip.
    private func nextAfterRejection(_ m: Message, progress pr: Progress) -> UInt64 {
        var next = m.rejectHint
        if m.hintTerm > 0 {
            next = log.conflictHint(index: m.rejectHint, term: m.hintTerm).index
        }
        return max(pr.match + 1, min(next + 1, pr.next > 1 ? pr.next - 1 : 1))
    }

    // MARK: Follower side of replication

    private mutating func handleAppend(_ m: Message) {
        if baseMembership.all.isEmpty, latestSnapshot == nil {
            // A node that joined an existing group knows no membership yet: entries replayed on top of nothing
            // could make it believe it is the only voter. It waits for a snapshot, which carries the membership.
            send(Message(kind: .appendResponse, from: id, to: m.from, term: term, index: m.index, reject: true))
            return
        }
        if m.index < log.committed {
            send(Message(kind: .appendResponse, from: id, to: m.from, term: term, index: log.committed))
            return
        }
        guard let localTerm = log.term(at: m.index), localTerm == m.logTerm else {
            // Raft §5.3 consistency check failed: say where our log might match.
            let hint = log.conflictHint(index: m.index, term: m.logTerm)
            send(
                Message(
                    kind: .appendResponse, from: id, to: m.from, term: term, index: m.index, reject: true,
                    rejectHint: hint.index, hintTerm: hint.term))
            return
        }
        let hadConfigChange = m.entries.contains { $0.kind == .configChange }
        let truncated = log.appendFromLeader(m.entries)
        if hadConfigChange || truncated { recomputeMembership() }
        let lastNew = m.index + UInt64(m.entries.count)
        log.commit(to: min(m.commit, lastNew))
        send(Message(kind: .appendResponse, from: id, to: m.from, term: term, index: lastNew))
    }

    private mutating func handleSnapshot(_ m: Message) {
        guard let snapshot = m.snapshot else { return }
        if snapshot.index <= log.committed {
            send(Message(kind: .appendResponse, from: id, to: m.from, term: term, index: log.committed))
            return
        }
        if log.term(at: snapshot.index) == snapshot.term {
            // We already hold the snapshot's entries: the leader only needs to know they are committed.
            log.commit(to: snapshot.index)
            send(Message(kind: .appendResponse, from: id, to: m.from, term: term, index: snapshot.index))
            return
        }
        log.restore(snapshot)
        latestSnapshot = snapshot
        pendingSnapshot = snapshot
        baseMembership = snapshot.membership
        recomputeMembership()
        send(Message(kind: .appendResponse, from: id, to: m.from, term: term, index: snapshot.index))
    }
}
