import Foundation
import Logging
import Synchronization
import TockConcurrency
import TockCore
import TockModel
import TockRaft
import TockRaftTransport
import TockSQLite
import TockWire

/// The state only the loop touches: the Raft node and the requests waiting on it.
struct DriverLoop {
    struct PendingProposal {
        var term: UInt64
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<ApplyResult, any Error>
    }

    struct PendingRead {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    var node: RaftNode
    let driver: RaftDriver
    var clock: any LoopClock { driver.clock }
    var proposals: [UInt64: PendingProposal] = [:]
    /// Reads waiting for the leader to confirm it still leads, by context.
    var reads: [UInt64: PendingRead] = [:]
    /// Reads confirmed at a commit index, waiting for the job tables to apply it.
    var confirmedReads: [(index: UInt64, read: PendingRead)] = []
    var nextReadContext: UInt64 = 1
    var lastAppliedTerm: UInt64 = 0
    /// Callers of `snapshotNow`, answered once a snapshot started after their call is taken.
    var snapshotRequests: [CheckedContinuation<Void, any Error>] = []
    /// The copy being made for the next snapshot, and the callers waiting for it.
    var capture: Task<Void, Never>?
    var captureWaiters: [CheckedContinuation<Void, any Error>] = []
    /// Copies that finished, for the loop to turn into snapshots.
    var captured: [(path: String, result: Result<UInt64, any Error>)] = []
    /// After a failed copy, the next waits until then rather than fail in a loop.
    var captureRetryAt: ContinuousClock.Instant?
    /// The current snapshot has no file (a data directory from before snapshot files): a copy is wanted at once.
    var snapshotFileMissing = false
    /// Data bytes of the entries applied since the last snapshot: the part of the in-memory log a snapshot frees.
    var appliedBytes = 0
    /// A new leader with learners but no snapshot takes one, so a joining node (which takes no entries before a
    /// snapshot) can be caught up.
    var snapshotWanted = false
    var leaderReady = false
    var lastStatus: ClusterStatus?
    /// Log entries a snapshot covers may still be stored; they are deleted a budget at a time, with the next
    /// Readies or while the loop is idle. True at start: a node may have stopped before it pruned them all.
    var pruneOwed = true
    /// Set while the disk is full: when to try writing the pending Ready again.
    var writeRetryAt: ContinuousClock.Instant?

    init(node: RaftNode, driver: RaftDriver) {
        self.node = node
        self.driver = driver
    }

    mutating func run() async throws {
        let tick = driver.configuration.tick
        var nextTick = clock.now.advanced(by: tick)
        if node.membership.voters == [node.id] {
            // A group of one has nobody to wait for: run through the election timeout at once.
            for _ in 0..<(2 * driver.configuration.electionTicks) where node.role != .leader { node.tick() }
        }
        while !Task.isCancelled {
            let events = driver.take()
            for event in events { handle(event) }
            if !captured.isEmpty { try await finishCaptures() }
            let now = clock.now
            if now >= nextTick {
                node.tick()
                // Ticks missed during a stall are dropped, not replayed at once (which would start an election).
                nextTick = max(nextTick.advanced(by: tick), now)
                expire(now: now)
            }
            if node.hasReady, writeRetryAt.map({ now >= $0 }) ?? true {
                try await processReady()
                if writeRetryAt == nil { continue }
            }
            // A role change need not produce a Ready (a leader that loses its quorum steps down silently), yet the
            // leader's duties must stop at once.
            await updateLeadership()
            publishStatus()
            startSnapshotIfDue()
            if events.isEmpty {
                if pruneOwed, writeRetryAt == nil {
                    pruneOwed = try await driver.pruneCompacted()
                    continue
                }
                await driver.waitForEvents(until: nextTick)
            }
        }
    }

    mutating func handle(_ event: DriverEvent) {
        switch event {
        case .message(let message):
            node.step(message)
        case .propose(let data, let continuation):
            guard writeRetryAt == nil else { return continuation.resume(throwing: RaftDriverError.storageFull) }
            guard let index = node.propose(data) else {
                return continuation.resume(throwing: RaftDriverError.notLeader(leader: node.leader))
            }
            awaitCommit(of: index, continuation)
        case .read(let continuation):
            let read = PendingRead(
                deadline: clock.now.advanced(by: driver.configuration.requestTimeout),
                continuation: continuation)
            let context = nextReadContext
            guard node.requestRead(context: context) else {
                return continuation.resume(throwing: RaftDriverError.notLeader(leader: node.leader))
            }
            nextReadContext += 1
            reads[context] = read
        case .changeMembership(let change, let continuation):
            guard node.role == .leader else {
                return continuation.resume(throwing: RaftDriverError.notLeader(leader: node.leader))
            }
            guard let index = node.proposeMembershipChange(change) else {
                let reason =
                    node.hasPendingMembershipChange
                    ? "another membership change is still being committed; retry"
                    : "\(change) does not apply to voters \(node.membership.voters.sorted()), learners \(node.membership.learners.sorted())"
                return continuation.resume(throwing: RaftDriverError.membershipChangeRefused(reason))
            }
            awaitCommit(of: index, continuation)
        case .snapshotNow(let continuation):
            guard node.role == .leader else {
                return continuation.resume(throwing: RaftDriverError.notLeader(leader: node.leader))
            }
            snapshotRequests.append(continuation)
        case .matchIndex(let peer, let continuation):
            guard node.role == .leader else {
                return continuation.resume(throwing: RaftDriverError.notLeader(leader: node.leader))
            }
            continuation.resume(returning: node.matchIndex(of: peer))
        case .snapshotCaptured(let path, let result):
            captured.append((path, result))
        case .transfer(let target, let continuation):
            if node.transferLeadership(to: target) {
                continuation.resume()
            } else if node.role != .leader {
                continuation.resume(throwing: RaftDriverError.notLeader(leader: node.leader))
            } else {
                continuation.resume(throwing: RaftDriverError.invalidTransferTarget(target))
            }
        }
    }

    /// Answers the proposer once the entry at `index` of this term is applied. A proposal still waiting at that
    /// index lost its entry (a later leader's log replaced it, and this node leads again, appending anew): it was
    /// never committed, and is told so now, or nobody would ever answer it.
    mutating func awaitCommit(of index: UInt64, _ continuation: CheckedContinuation<ApplyResult, any Error>) {
        let pending = PendingProposal(
            term: node.term, deadline: clock.now.advanced(by: driver.configuration.requestTimeout),
            continuation: continuation)
        proposals.updateValue(pending, forKey: index)?.continuation.resume(throwing: RaftDriverError.outcomeUnknown)
    }

    mutating func processReady() async throws {
        let ready = node.ready()
        let applied: RaftDriver.Applied
        do {
            applied = try await driver.write(ready, prune: pruneOwed)
        } catch let error as SQLiteError where error.isDiskFull {
            // The transaction was rolled back and nothing of this Ready happened: it is not advanced, so the next
            // Ready holds the same entries, state and commits, and is written once space returns. Its messages
            // are dropped unsent (they may rest on what was not persisted); Raft resends what matters.
            if writeRetryAt == nil {
                driver.log.error(
                    """
                    disk full: this node stores nothing and refuses proposals until space is freed; retrying every \
                    second
                    """, metadata: ["error": "\(error)"])
                driver.setStorageFull(true)
            }
            writeRetryAt = clock.now.advanced(by: .seconds(1))
            // Their entries stay in the log and may commit once the disk has room: neither a yes nor a no, and
            // told now rather than at their deadline.
            for pending in proposals.values { pending.continuation.resume(throwing: RaftDriverError.outcomeUnknown) }
            proposals = [:]
            return
        }
        if writeRetryAt != nil {
            driver.log.notice("disk has space again: writing and accepting proposals")
            writeRetryAt = nil
            driver.setStorageFull(false)
        }
        if pruneOwed { pruneOwed = applied.morePrunable }
        driver.send(ready.messages)
        node.advance(ready)

        for read in ready.readStates {
            guard let pending = reads.removeValue(forKey: read.context) else { continue }
            confirmedReads.append((read.index, pending))
        }
        appliedBytes += ready.committedEntries.reduce(0) { $0 + $1.data.count }
        if let snapshot = ready.snapshot {
            appliedBytes = ready.committedEntries.reduce(0) { $0 + $1.data.count }
            driver.snapshotFiles.removeOlder(than: snapshot)
            lastAppliedTerm = snapshot.term
            // A snapshot replaced the log: whatever was proposed at or below it may or may not be in it.
            for index in proposals.keys where index <= snapshot.index {
                proposals.removeValue(forKey: index)?.continuation.resume(throwing: RaftDriverError.outcomeUnknown)
            }
        }
        var results: [ApplyResult] = []
        results.reserveCapacity(applied.results.count)
        if applied.addressesChanged { try await driver.reloadAddresses() }
        for (index, term, result) in applied.results {
            lastAppliedTerm = term
            results.append(result)
            guard let pending = proposals.removeValue(forKey: index) else { continue }
            if pending.term == term {
                pending.continuation.resume(returning: result)
            } else {
                // A later leader put another entry at this index: the proposal was never committed.
                pending.continuation.resume(throwing: RaftDriverError.outcomeUnknown)
            }
        }
        releaseConfirmedReads()
        if !results.isEmpty, let handler = driver.appliedHandler { await handler(results) }
        await updateLeadership()
        startSnapshotIfDue()
        publishStatus()
    }

    /// Makes the node's state visible to `status` and logs role changes.
    mutating func publishStatus() {
        let status = ClusterStatus(node)
        if status != lastStatus {
            if status.role != lastStatus?.role || status.leader != lastStatus?.leader || status.term != lastStatus?.term
            {
                driver.log.info(
                    "raft state",
                    metadata: [
                        "role": "\(status.role)", "term": "\(status.term)", "leader": "\(status.leader ?? "-")",
                    ])
            }
            lastStatus = status
            driver.publish(status)
        }
    }

    mutating func releaseConfirmedReads() {
        let applied = node.appliedIndex
        confirmedReads.removeAll { entry in
            guard entry.index <= applied else { return false }
            entry.read.continuation.resume()
            return true
        }
    }

    /// Leading is only useful once the entries of earlier terms are applied (the job tables are current), which is
    /// when the first entry of this term (the no-op) has been applied.
    mutating func updateLeadership() async {
        let ready = node.role == .leader && lastAppliedTerm == node.term
        guard ready != leaderReady else { return }
        leaderReady = ready
        if ready, !node.membership.learners.isEmpty, node.snapshot == nil { snapshotWanted = true }
        await driver.leadershipHandler?(ready)
    }

    mutating func expire(now: ContinuousClock.Instant) {
        for (index, pending) in proposals where pending.deadline <= now {
            proposals.removeValue(forKey: index)
            pending.continuation.resume(throwing: RaftDriverError.outcomeUnknown)
        }
        for (context, pending) in reads where pending.deadline <= now {
            reads.removeValue(forKey: context)
            pending.continuation.resume(throwing: RaftDriverError.outcomeUnknown)
        }
        confirmedReads.removeAll { entry in
            guard entry.read.deadline <= now else { return false }
            entry.read.continuation.resume(throwing: RaftDriverError.outcomeUnknown)
            return true
        }
    }

    mutating func failAll(_ error: RaftDriverError) {
        for request in snapshotRequests + captureWaiters { request.resume(throwing: error) }
        snapshotRequests = []
        captureWaiters = []
        for pending in proposals.values { pending.continuation.resume(throwing: error) }
        for pending in reads.values { pending.continuation.resume(throwing: error) }
        for entry in confirmedReads { entry.read.continuation.resume(throwing: error) }
        proposals = [:]
        reads = [:]
        confirmedReads = []
        for event in driver.closeInbox() { event.fail(error) }
    }
}
