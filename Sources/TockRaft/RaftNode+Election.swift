extension RaftNode {
    enum CampaignKind {
        /// A trial round at term+1 that changes no state on voters.
        case preElection
        case election
        /// Started by the leader's timeoutNow: skips the trial round and overrides voters' leases.
        case transfer
    }

    mutating func tickElection() {
        electionElapsed += 1
        guard isVoter, electionElapsed >= randomizedElectionTimeout else { return }
        electionElapsed = 0
        campaign(configuration.preVote ? .preElection : .election)
    }

    mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        for (peer, pr) in progress {
            if case .snapshot(let index, let ticks) = pr.state {
                // A snapshot (or its answer) can be lost: fall back to probing, which sends it again.
                if ticks + 1 >= 2 * configuration.electionTicks {
                    progress[peer]?.becomeProbe()
                } else {
                    progress[peer]?.state = .snapshot(index: index, sentTicksAgo: ticks + 1)
                }
            }
        }
        if electionElapsed >= configuration.electionTicks {
            electionElapsed = 0
            if configuration.checkQuorum {
                // A leader that cannot reach a quorum steps down rather than serve stale reads or block writers.
                let active = membership.voters.filter { $0 == id || progress[$0]?.recentActive == true }.count
                for peer in progress.keys { progress[peer]?.recentActive = false }
                if active < membership.quorum {
                    becomeFollower(term: term, leader: nil)
                    return
                }
            }
            transferee = nil
        }
        if heartbeatElapsed >= configuration.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }

    mutating func campaign(_ kind: CampaignKind) {
        let campaignTerm: UInt64
        let requestKind: Message.Kind
        if kind == .preElection {
            role = .preCandidate
            leader = nil
            campaignTerm = term + 1
            requestKind = .preVote
        } else {
            becomeCandidate()
            campaignTerm = term
            requestKind = .vote
        }
        votes = [id: true]
        if membership.quorum <= 1 {
            if kind == .preElection { campaign(.election) } else { becomeLeader() }
            return
        }
        for peer in membership.voters where peer != id {
            send(
                Message(
                    kind: requestKind, from: id, to: peer, term: campaignTerm, index: log.lastIndex,
                    logTerm: log.lastTerm, transfer: kind == .transfer))
        }
    }

    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: NodeID?) {
        if newTerm != term {
            term = newTerm
            vote = nil
        }
        role = .follower
        leader = newLeader
        electionElapsed = 0
        heartbeatElapsed = 0
        transferee = nil
        progress = [:]
        readIndex.dropAll()
        resetRandomizedElectionTimeout()
    }

    mutating func becomeCandidate() {
        term += 1
        vote = id
        role = .candidate
        leader = nil
        readIndex.dropAll()
        electionElapsed = 0
        resetRandomizedElectionTimeout()
    }

    mutating func becomeLeader() {
        role = .leader
        leader = id
        electionElapsed = 0
        heartbeatElapsed = 0
        transferee = nil
        progress = [:]
        readIndex.dropAll()
        for peer in membership.all where peer != id {
            progress[peer] = Progress(next: log.lastIndex + 1, maxInflight: configuration.maxInflightAppends)
        }
        // Any membership change still in the log may be uncommitted: allow the next only after this term's no-op.
        pendingMembershipIndex = log.lastIndex + 1
        // Raft §5.4.2: a leader commits entries of earlier terms only by committing one of its own.
        appendAndBroadcast(kind: .noop, data: [])
    }
}
