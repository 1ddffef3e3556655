import TockRaft

/// What an operator does to a running group, amid the faults: hand leadership over (a rolling restart), add a node
/// as a learner, promote it once it has caught up, remove a node — one change at a time, as `RaftNode` allows. A
/// node added joins knowing no membership and is caught up by a snapshot; a node whose removal commits is stopped.
extension Simulation {
    /// Counts of what a run did, so a test can tell its faults happened.
    struct Stats {
        var transfers = 0
        var learnersAdded = 0
        var promotions = 0
        var removals = 0
        /// Removals whose node led when it was proposed.
        var leadersRemoved = 0
        /// Calm-phase commands committed, and those a later leader's entry replaced (the client is told the
        /// outcome is unknown).
        var commandsCommittedWhenCalm = 0
        var commandsReplaced = 0
        /// The longest a calm-phase command took from being accepted to being committed, in ticks.
        var longestCommit = 0
        var firstAcceptedWhenCalm: Int?
    }

    /// The fewest voters a removal may leave, and the most an addition may make.
    var voterRange: ClosedRange<Int> { max(2, founders.count - 1)...(founders.count + 1) }

    var leaderID: NodeID? { ids.first { nodes[$0]!.core?.role == .leader } }

    mutating func actAsOperator() {
        guard let id = leaderID else { return }
        if chance(0.3) {
            transferLeadership(from: id)
        } else {
            changeMembership(at: id)
        }
    }

    @discardableResult
    mutating func transferLeadership(from id: NodeID) -> NodeID? {
        let others = nodes[id]!.core!.membership.voters.subtracting([id]).sorted()
        guard !others.isEmpty else { return nil }
        let target = others[pick(0...(others.count - 1))]
        guard nodes[id]!.core!.transferLeadership(to: target) else { return nil }
        stats.transfers += 1
        return target
    }

    /// One step towards a different membership: promote a learner that caught up (or give up on one that did not),
    /// or add a learner, or remove a voter, within `voterRange`.
    mutating func changeMembership(at id: NodeID) {
        // Asked even while a change is pending: the core must refuse it.
        let core = nodes[id]!.core!
        let membership = core.membership
        if let learner = membership.learners.sorted().first {
            // Caught up, or nearly (under faults the commit index moves on meanwhile).
            if let match = core.matchIndex(of: learner), match > 0, match + 8 >= core.commitIndex {
                if propose(.promote(learner), at: id) { stats.promotions += 1 }
            } else if chance(0.2) {
                if propose(.remove(learner), at: id) { stats.removals += 1 }
            }
        } else if membership.voters.count < voterRange.upperBound,
            membership.voters.count < founders.count || chance(0.5)
        {
            addLearner(at: id)
        } else if membership.voters.count > voterRange.lowerBound {
            // The leader itself may go: it steps down once its removal commits.
            let voters = membership.voters.sorted()
            let removed = voters[pick(0...(voters.count - 1))]
            if propose(.remove(removed), at: id) {
                stats.removals += 1
                if removed == id { stats.leadersRemoved += 1 }
            }
        }
    }

    /// Starts a new node, knowing no membership, and proposes it as a learner; nil if the leader refused.
    @discardableResult
    mutating func addLearner(at id: NodeID) -> NodeID? {
        let newID = "n\(ids.count + 1)"
        guard propose(.addLearner(newID), at: id) else { return nil }
        var node = SimNode()
        node.joined = true
        node.core = makeCore(newID, state: PersistentState(), joined: true)
        nodes[newID] = node
        ids.append(newID)
        stats.learnersAdded += 1
        return newID
    }

    mutating func propose(_ change: MembershipChange, at id: NodeID) -> Bool {
        nodes[id]!.core!.proposeMembershipChange(change) != nil
    }

    /// A node that joins takes no entries before a snapshot, so a leader with learners and no snapshot takes one
    /// (as the driver does when it starts to lead).
    mutating func snapshotForLearners() {
        for id in ids {
            guard let core = nodes[id]!.core, core.role == .leader, core.snapshot == nil,
                !core.membership.learners.isEmpty
            else { continue }
            compact(id, minimumEntries: 0)
        }
    }

    /// Stops a node added as a learner whose addition will never commit: the leader no longer has it in its
    /// membership, and has committed every change in its log (so an entry adding it elsewhere, of an older term,
    /// can never be committed).
    mutating func stopOrphans() {
        guard let leader = leaderID, let core = nodes[leader]!.core, !core.hasPendingMembershipChange else { return }
        for id in ids
        where nodes[id]!.joined && !nodes[id]!.removed && !committedMembership.all.contains(id)
            && !core.membership.all.contains(id)
        {
            stop(id)
        }
    }

    /// Called once per committed change, in log order.
    mutating func membershipChangeCommitted(_ entry: Entry) {
        guard let change = MembershipChange(decoding: entry.data),
            let next = change.applied(to: committedMembership)
        else { return }
        committedMembership = next
        if case .remove(let removed) = change { removalsCommitted.append(removed) }
    }

    /// The operator stops a node once its removal committed; it never comes back.
    mutating func stop(_ id: NodeID) {
        nodes[id]!.core = nil
        nodes[id]!.removed = true
    }
}
