import TockRaft

/// Progress, once the faults stop (every member up, the network whole and lossless): safety alone would pass a
/// core that accepted commands and dropped them, or never elected a leader again.
extension Simulation {
    /// A command a leader accepted (`propose` returned its index) after the faults stopped.
    struct AcceptedCommand {
        var data: [UInt8]
        var index: UInt64
        var term: UInt64
        var leader: NodeID
        var at: Int
    }

    /// Ticks within which, on a healed network, a command a leader accepted must commit: followers that were cut
    /// off must catch up first. The longest seen in 6,000 seeds was 55.
    static let commitBound = 100

    /// Ticks within which, on a healed network, a leader must accept commands, and a transfer or a membership
    /// change must complete. Elections are won by chance: without pre-vote, nodes whose logs are too short to win
    /// keep starting elections that reset everyone's timer, and a round can end split. In 6,000 seeds a leader
    /// accepted commands within 40 ticks of healing in 98% of them, and each 10 ticks more halved the rest (the
    /// longest was 123), so at 250 an honest core fails about one seed in 10^8.
    static let electionBound = 250

    /// Every accepted command is committed within `commitBound` ticks, or replaced by a later leader's entry at
    /// its index (which a client hears as an unknown outcome, and retries). An entry of the accepting leader's own
    /// term there instead is a dropped proposal: one term has one leader, and it never overwrites its own entries.
    mutating func checkLiveness() throws(Failure) {
        var waiting: [AcceptedCommand] = []
        for command in awaitingCommit {
            guard let term = committedTerm[command.index] else {
                if now - command.at > Self.commitBound {
                    throw fail(
                        """
                        liveness: command accepted by \(command.leader) at tick \(command.at) (index \(command.index), \
                        term \(command.term)) not committed within \(Self.commitBound) ticks on a healed network
                        """)
                }
                waiting.append(command)
                continue
            }
            if term != command.term {
                stats.commandsReplaced += 1
            } else if acknowledged[command.index] != command.data {
                throw fail(
                    """
                    liveness: \(command.leader) accepted a command at index \(command.index) in term \(command.term), \
                    and another entry of that term committed there: the proposal was dropped
                    """)
            } else {
                stats.commandsCommittedWhenCalm += 1
                stats.longestCommit = max(stats.longestCommit, now - command.at)
            }
        }
        awaitingCommit = waiting
        if proposing, let calmSince, now - max(calmSince, lastAcceptedAt) > Self.electionBound {
            throw fail("liveness: no leader accepted a command for \(Self.electionBound) ticks on a healed network")
        }
    }

    /// Steps until every accepted command is resolved (`checkLiveness` fails past the bound).
    mutating func awaitAcceptedCommands() throws(Failure) {
        while !awaitingCommit.isEmpty { try step() }
    }

    /// A leadership transfer on a healed network completes within the bound: the target leads.
    mutating func checkATransferCompletes() throws(Failure) {
        guard let leader = leaderID else { throw fail("no leader to transfer from once calm") }
        guard let target = transferLeadership(from: leader) else {
            // A group of one voter has nobody to hand over to.
            if nodes[leader]!.core!.membership.voters.count == 1 { return }
            throw fail("\(leader) refused to transfer leadership once calm")
        }
        for _ in 0..<Self.electionBound where nodes[target]!.core?.role != .leader { try step() }
        guard nodes[target]!.core?.role == .leader else {
            throw fail("liveness: leadership transferred from \(leader) to \(target) never arrived")
        }
    }

    /// Adding a node and promoting it completes on a healed network: the learner is caught up (by a snapshot,
    /// since it starts knowing no membership), its promotion commits, and it holds every acknowledged command.
    mutating func checkAMembershipChangeCompletes() throws(Failure) {
        try awaitMembershipChange("a pending change")
        guard let leader = leaderID, let learner = addLearner(at: leader) else {
            throw fail("the leader refused to add a learner once calm")
        }
        try awaitMembershipChange("adding \(learner)")
        for _ in 0..<Self.electionBound {
            guard let leader = leaderID, let core = nodes[leader]!.core,
                (core.matchIndex(of: learner) ?? 0) < core.commitIndex
            else { break }
            try step()
        }
        guard let leader = leaderID, propose(.promote(learner), at: leader) else {
            throw fail("liveness: learner \(learner) not caught up within \(Self.electionBound) ticks, to be promoted")
        }
        try awaitMembershipChange("promoting \(learner)")
        guard committedMembership.voters.contains(learner) else { throw fail("\(learner) promoted but not a voter") }
        for _ in 0..<30 { try step() }
        try checkConverged()
    }

    /// Steps until the leader has no uncommitted membership change, within the bound.
    mutating func awaitMembershipChange(_ what: String) throws(Failure) {
        for _ in 0..<Self.electionBound {
            if let leader = leaderID, !nodes[leader]!.core!.hasPendingMembershipChange { return }
            try step()
        }
        throw fail("liveness: \(what) did not commit within \(Self.electionBound) ticks on a healed network")
    }
}
