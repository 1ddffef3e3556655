import Foundation
import Logging
import Synchronization
import TockCore
import TockRaft
import TockRaftTransport
import TockSQLite
import TockModel
import TockWire
import TockConcurrency

/// The thin loop around the pure `RaftNode` (etcd-io/raft's contract): it feeds the node ticks, peer messages and
/// proposals, and for every `Ready` persists the log and hard state, applies committed commands to the job tables
/// — one SQLite transaction, one fsync — then sends the messages and advances the node.
///
/// Requests queue while a transaction is being written and all go into the next one, so a burst of submits shares
/// one fsync (group commit) on a single node and one round of appends in a group.
///
/// Snapshots are files (`SnapshotFiles`, `ShardSnapshot`): a copy of the job tables made on a second connection
/// while the loop goes on applying, then handed to the core as an index to compact to. Followers install the
/// file the transport received, in the same transaction that records the snapshot. The log kept in memory is
/// bounded by `snapshotEvery` entries and `snapshotLogBytes` bytes; nothing else grows with the job count.
///
/// A data directory from before snapshot files has its snapshot's metadata but no file (its `raft_snapshot.data`
/// blob is ignored): the node takes a new snapshot as soon as it starts, which overwrites the blob.
///
/// All Raft state is touched only by the `run()` task; other tasks talk to it through the inbox.
public final class RaftDriver: ReplicatedLog, Sendable {
    public typealias AppliedHandler = @Sendable ([ApplyResult]) async -> Void
    /// Called with true once this node leads and has applied every entry of earlier terms (it may act on the job
    /// tables as leader), and with false as soon as it stops leading.
    public typealias LeadershipHandler = @Sendable (Bool) async -> Void
    /// Called from the loop, synchronously, whenever what `status` answers changes; it must return quickly.
    public typealias StatusHandler = @Sendable (ClusterStatus) -> Void

    let configuration: RaftClusterConfiguration
    private let database: DatabaseQueue
    private let stateMachine: JobStateMachine
    private let inbox: Inbox
    private let transport: (any RaftMessageTransport)?
    private let logger: Logger
    /// What the disk held at start, until `run()` builds the node from it (and lets go of the entries).
    private let initialState: Mutex<PersistentState?>
    private let currentStatus: Mutex<ClusterStatus>
    let snapshotFiles: SnapshotFiles
    /// A second connection, for copying the tables into snapshots without holding up `database`.
    private let captureDatabase: DatabaseQueue
    /// Where the other nodes listen: the command line's `--peers`/`--peer-http`, overridden by addresses committed
    /// to the log (nodes added later).
    private let transactions = Atomic<Int>(0)
    /// The last write failed for want of space; the loop retries it (`DriverLoop.writeRetryAt`).
    private let diskFull = Atomic<Bool>(false)
    private let addresses: Mutex<(raft: [NodeID: HostPort], http: [NodeID: HostPort])>
    private let handlers = Mutex<(applied: AppliedHandler?, leadership: LeadershipHandler?, status: StatusHandler?)>(
        (nil, nil, nil))

    /// - Parameters:
    ///   - shard: named, with the cluster id, in every Raft handshake.
    ///   - onPeerRefused: called for every Raft connection the handshake refused.
    ///   - simulatedTransport: for simulations, replaces the TCP transport: given where received messages go and
    ///     this node's snapshot files, it returns what carries this node's messages.
    init(configuration: RaftClusterConfiguration, database: DatabaseQueue, stateMachine: JobStateMachine,
         logger: Logger, shard: UInt32 = 0,
         onPeerRefused: @escaping @Sendable (RaftPeerRefusal.Reason) -> Void = { _ in },
         simulatedTransport: SimulatedTransportFactory? = nil) throws
    {
        self.configuration = configuration
        self.database = database
        self.stateMachine = stateMachine
        var logger = logger
        logger[metadataKey: "raft.node"] = "\(configuration.nodeID)"
        self.logger = logger
        let inbox = Inbox()
        self.inbox = inbox
        let initialState = try database.syncWrite { try RaftStore.load(from: $0) }
        self.initialState = Mutex(initialState)
        currentStatus = Mutex(ClusterStatus(Self.makeNode(configuration, initialState)))
        snapshotFiles = try SnapshotFiles(directory: database.path + "-snapshots")
        // Nothing is being sent or received yet: whatever is not the current snapshot is left over from before.
        snapshotFiles.removeAll(except: initialState.snapshot)
        captureDatabase = try DatabaseQueue(path: database.path)
        let committed = try database.syncWrite { try RaftStore.nodeAddresses(in: $0) }
        let book = Self.merge(configuration, committed)
        addresses = Mutex(book)
        if let simulatedTransport {
            transport = simulatedTransport({ inbox.post(.message($0)) }, snapshotFiles)
        } else if !configuration.peers.isEmpty {
            guard let me = configuration.peers[configuration.nodeID] else {
                throw ShardConfigurationError("--peers must include this node (\(configuration.nodeID))")
            }
            transport = RaftPeerTransport(
                id: configuration.nodeID, listenHost: me.host, listenPort: me.port,
                peers: Self.transportPeers(book.raft, except: configuration.nodeID), logger: logger,
                onMessage: { inbox.post(.message($0)) }, snapshots: snapshotFiles,
                identity: RaftPeerIdentity(clusterID: configuration.clusterID, shard: shard,
                                           secret: configuration.secret),
                limits: configuration.connectionLimits, onRefusal: onPeerRefused, tls: configuration.tls)
            if configuration.secret == nil {
                logger.warning("""
                    the Raft port is unauthenticated: anyone who can reach it can act as a node of the shard; \
                    give every node --cluster-secret-file
                    """,
                               metadata: ["raft.address": "\(me.host):\(me.port)"])
            }
        } else {
            transport = nil
        }
    }

    private static func merge(_ configuration: RaftClusterConfiguration,
                              _ committed: [(node: NodeID, raft: HostPort, http: HostPort)])
        -> (raft: [NodeID: HostPort], http: [NodeID: HostPort])
    {
        var raft = configuration.peers
        var http = configuration.peerHTTP
        for entry in committed where entry.node != configuration.nodeID {
            raft[entry.node] = entry.raft
            http[entry.node] = entry.http
        }
        return (raft, http)
    }

    private static func transportPeers(_ raft: [NodeID: HostPort], except me: NodeID)
        -> [NodeID: RaftPeerTransport.PeerAddress]
    {
        raft.filter { $0.key != me }.mapValues { (host: $0.host, port: $0.port) }
    }

    /// The HTTP API address of `node`, if known.
    public func httpAddress(of node: NodeID) -> HostPort? {
        addresses.withLock { $0.http[node] }
    }

    /// Re-reads the committed address book after it changed (a node was added, or a snapshot installed).
    fileprivate func reloadAddresses() async throws {
        let committed = try await database.read { try RaftStore.nodeAddresses(in: $0) }
        let book = Self.merge(configuration, committed)
        addresses.withLock { $0 = book }
        transport?.updatePeers(Self.transportPeers(book.raft, except: configuration.nodeID))
    }

    private static func makeNode(_ configuration: RaftClusterConfiguration, _ state: PersistentState) -> RaftNode {
        var raft = RaftConfiguration(id: configuration.nodeID, randomSeed: UInt64.random(in: .min ... .max))
        raft.electionTicks = configuration.electionTicks
        raft.heartbeatTicks = configuration.heartbeatTicks
        return RaftNode(configuration: raft, bootstrap: configuration.bootstrapMembership, restoring: state)
    }

    func setHandlers(applied: @escaping AppliedHandler, leadership: @escaping LeadershipHandler,
                     status: StatusHandler? = nil)
    {
        handlers.withLock { $0 = (applied, leadership, status) }
        status?(self.status)
    }

    /// SQLite transactions (fsyncs) that persisted a Ready so far; far fewer than entries under load (group commit).
    public var persistTransactions: Int { transactions.load(ordering: .relaxed) }

    /// What this node knows of its group now.
    public var status: ClusterStatus { currentStatus.withLock { $0 } }

    /// Whether the node's last write failed because its disk is full; proposals are refused meanwhile.
    public var isStorageFull: Bool { diskFull.load(ordering: .relaxed) }
    fileprivate func setStorageFull(_ full: Bool) { diskFull.store(full, ordering: .relaxed) }

    public func propose(_ command: ShardCommand) async throws -> ApplyResult {
        try await withCheckedThrowingContinuation { inbox.post(.propose(command.encoded(), $0)) }
    }

    /// Returns once the job tables hold everything committed before the call: a read after it is linearizable.
    public func readBarrier() async throws {
        try await withCheckedThrowingContinuation { inbox.post(.read($0)) }
    }

    /// Proposes one membership change (this node must lead) and returns once it is committed.
    public func changeMembership(_ change: MembershipChange) async throws {
        _ = try await withCheckedThrowingContinuation { inbox.post(.changeMembership(change, $0)) }
    }

    /// Takes a snapshot now (this node must lead), so a node that joins is caught up from one.
    public func snapshotNow() async throws {
        try await withCheckedThrowingContinuation { inbox.post(.snapshotNow($0)) }
    }

    /// Leader only: how far `peer`'s log is known to match this node's.
    public func matchIndex(of peer: NodeID) async throws -> UInt64? {
        try await withCheckedThrowingContinuation { inbox.post(.matchIndex(peer, $0)) }
    }

    /// One tick of the node's clock now, as if `configuration.tick` had passed; returns once the loop took it. For
    /// simulations that drive time themselves (with a `tick` so long that the loop's own clock never fires).
    func tick() async throws {
        try await withCheckedThrowingContinuation { inbox.post(.tick($0)) }
    }

    /// Asks the leader (this node) to hand leadership to `target`; the handover itself completes asynchronously.
    public func transferLeadership(to target: NodeID) async throws {
        try await withCheckedThrowingContinuation { inbox.post(.transfer(target, $0)) }
    }

    /// Runs the group until the task is cancelled. Throws if the node cannot persist its state: a Raft node that
    /// cannot write its disk must stop, not carry on with promises it cannot keep.
    public func run() async throws {
        guard let state = initialState.withLock({ state in defer { state = nil }; return state }) else {
            throw RaftDriverError.stopped
        }
        if let transport { _ = try await transport.start() }
        var loop = DriverLoop(node: Self.makeNode(configuration, state), driver: self)
        if let snapshot = state.snapshot, !snapshotFiles.holds(snapshot) {
            logger.notice("the current snapshot has no file (a data directory from an older version?): taking one",
                          metadata: ["index": "\(snapshot.index)"])
            loop.snapshotFileMissing = true
        }
        loop.appliedBytes = state.entries.reduce(0) { $0 + ($1.index <= state.applied ? $1.data.count : 0) }
        defer { loop.failAll(.stopped) }
        do {
            try await loop.run()
        } catch {
            logger.critical("raft node stopped", metadata: ["error": "\(error)"])
            await loop.capture?.value
            await transport?.shutdown()
            throw error
        }
        await loop.capture?.value
        await transport?.shutdown()
    }

    // MARK: Used by the loop

    fileprivate func take() -> [Event] { inbox.take() }
    fileprivate func post(_ event: Event) { inbox.post(event) }
    fileprivate func closeInbox() -> [Event] { inbox.close() }
    fileprivate func waitForEvents(timeout: Duration) async { await inbox.wakeup.wait(timeout: timeout) }
    fileprivate func send(_ messages: [Message]) { transport?.send(messages) }
    fileprivate func publish(_ status: ClusterStatus) {
        currentStatus.withLock { $0 = status }
        handlers.withLock { $0.status }?(status)
    }
    fileprivate var appliedHandler: AppliedHandler? { handlers.withLock { $0.applied } }
    fileprivate var leadershipHandler: LeadershipHandler? { handlers.withLock { $0.leadership } }
    fileprivate var log: Logger { logger }

    /// What one Ready's transaction applied.
    fileprivate struct Applied: Sendable {
        var results: [(index: UInt64, term: UInt64, result: ApplyResult)] = []
        /// A node's address was committed (or a snapshot replaced the address book).
        var addressesChanged = false
        /// Log entries a snapshot covers are still stored: more to prune.
        var morePrunable = false
    }

    /// How many bytes of compacted log entries one transaction deletes (a few milliseconds of work).
    fileprivate static let pruneBudget = 2 << 20

    /// Persists `ready`, applies what it commits, and returns the results of the applied entries; with `prune`,
    /// also deletes some of the log entries a snapshot covers.
    fileprivate func write(_ ready: Ready, prune: Bool) async throws -> Applied {
        transactions.add(1, ordering: .relaxed)
        guard let snapshot = ready.snapshot else {
            return try await database.write { [self] db in
                var applied = try persistAndApply(ready, in: db)
                if prune { applied.morePrunable = try RaftStore.pruneCompacted(byteBudget: Self.pruneBudget, in: db) }
                return applied
            }
        }
        // The transport delivered the snapshot message only once this file was complete and checked.
        let path = snapshotFiles.path(for: snapshot)
        guard FileManager.default.fileExists(atPath: path) else {
            throw SnapshotFileError("no file for the snapshot at \(snapshot.index) to install", ENOENT)
        }
        return try await database.write(attaching: path, as: "snap") { [self] db in try persistAndApply(ready, in: db) }
    }

    /// One Ready's transaction; a snapshot in it is installed from the file attached as `snap`.
    private func persistAndApply(_ ready: Ready, in db: Database) throws -> Applied {
        try RaftStore.persist(ready, in: db)
        if let snapshot = ready.snapshot {
            try ShardSnapshot.install(attachedAs: "snap", index: snapshot.index, in: db)
            try RaftStore.setApplied(snapshot.index, in: db)
        }
        var applied = Applied(addressesChanged: ready.snapshot != nil)
        applied.results.reserveCapacity(ready.committedEntries.count)
        for entry in ready.committedEntries {
            var result = ApplyResult.updated(0)
            if entry.kind == .normal {
                do {
                    let command = try ShardCommand(decoding: entry.data)
                    if case .setNodeAddress = command { applied.addressesChanged = true }
                    result = try stateMachine.applyOrReject(command, in: db)
                    if case .rejected(let problem) = result {
                        logger.warning("command rejected by the state machine",
                                       metadata: ["index": "\(entry.index)", "error": "\(problem)"])
                    }
                } catch let error as WireError {
                    // Every replica holds the same bytes and skips them the same way.
                    logger.error("undecodable command in the log skipped",
                                 metadata: ["index": "\(entry.index)", "error": "\(error)"])
                }
            }
            applied.results.append((entry.index, entry.term, result))
        }
        if let last = ready.committedEntries.last { try RaftStore.setApplied(last.index, in: db) }
        return applied
    }

    /// Copies the job tables into a new file at `path`; returns the applied index the copy is of.
    fileprivate func capture(into path: String) async throws -> UInt64 {
        let index = try await captureDatabase.read { try ShardSnapshot.capture(from: $0, into: path) }
        try await snapshotFiles.sync(path)
        return index
    }

    fileprivate func saveSnapshot(_ snapshot: Snapshot) async throws {
        try await database.write { try RaftStore.compact(to: snapshot, in: $0) }
    }

    /// Deletes some of the log entries a snapshot covers; returns whether more are left.
    fileprivate func pruneCompacted() async throws -> Bool {
        try await database.write { try RaftStore.pruneCompacted(byteBudget: Self.pruneBudget, in: $0) }
    }
}

/// Requests to the loop, posted from any task.
private enum Event: Sendable {
    case message(Message)
    case propose([UInt8], CheckedContinuation<ApplyResult, any Error>)
    case read(CheckedContinuation<Void, any Error>)
    case transfer(NodeID, CheckedContinuation<Void, any Error>)
    case changeMembership(MembershipChange, CheckedContinuation<ApplyResult, any Error>)
    case snapshotNow(CheckedContinuation<Void, any Error>)
    case matchIndex(NodeID, CheckedContinuation<UInt64?, any Error>)
    case tick(CheckedContinuation<Void, any Error>)
    /// A snapshot copy finished (or failed); the file at the path is not yet a snapshot.
    case snapshotCaptured(String, Result<UInt64, any Error>)

    func fail(_ error: RaftDriverError) {
        switch self {
        case .message: break
        case .snapshotCaptured(let path, _):
            // The loop stopped before it could make this copy a snapshot.
            try? FileManager.default.removeItem(atPath: path)
        case .propose(_, let continuation), .changeMembership(_, let continuation): continuation.resume(throwing: error)
        case .read(let continuation), .transfer(_, let continuation), .snapshotNow(let continuation),
             .tick(let continuation):
            continuation.resume(throwing: error)
        case .matchIndex(_, let continuation): continuation.resume(throwing: error)
        }
    }
}

private final class Inbox: Sendable {
    private let state = Mutex<(events: [Event], closed: Bool)>(([], false))
    let wakeup = Wakeup()

    func post(_ event: Event) {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.events.append(event)
            return true
        }
        if accepted { wakeup.signal() } else { event.fail(.stopped) }
    }

    func take() -> [Event] {
        state.withLock { state in
            defer { state.events.removeAll(keepingCapacity: true) }
            return state.events
        }
    }

    /// Refuses every later event and returns the ones still waiting, to be answered.
    func close() -> [Event] {
        state.withLock { state in
            state.closed = true
            defer { state.events = [] }
            return state.events
        }
    }
}

/// The state only the loop touches: the Raft node and the requests waiting on it.
private struct DriverLoop {
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
    let clock = ContinuousClock()
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
                await driver.waitForEvents(timeout: nextTick - clock.now)
            }
        }
    }

    private mutating func handle(_ event: Event) {
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
            let read = PendingRead(deadline: clock.now.advanced(by: driver.configuration.requestTimeout),
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
                let reason = node.hasPendingMembershipChange
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
        case .tick(let continuation):
            node.tick()
            expire(now: clock.now)
            continuation.resume()
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
    private mutating func awaitCommit(of index: UInt64, _ continuation: CheckedContinuation<ApplyResult, any Error>) {
        let pending = PendingProposal(
            term: node.term, deadline: clock.now.advanced(by: driver.configuration.requestTimeout),
            continuation: continuation)
        proposals.updateValue(pending, forKey: index)?.continuation.resume(throwing: RaftDriverError.outcomeUnknown)
    }

    private mutating func processReady() async throws {
        let ready = node.ready()
        let applied: RaftDriver.Applied
        do {
            applied = try await driver.write(ready, prune: pruneOwed)
        } catch let error as SQLiteError where error.isDiskFull {
            // The transaction was rolled back and nothing of this Ready happened: it is not advanced, so the next
            // Ready holds the same entries, state and commits, and is written once space returns. Its messages
            // are dropped unsent (they may rest on what was not persisted); Raft resends what matters.
            if writeRetryAt == nil {
                driver.log.error("""
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
    private mutating func publishStatus() {
        let status = ClusterStatus(node)
        if status != lastStatus {
            if status.role != lastStatus?.role || status.leader != lastStatus?.leader || status.term != lastStatus?.term {
                driver.log.info("raft state", metadata: [
                    "role": "\(status.role)", "term": "\(status.term)", "leader": "\(status.leader ?? "-")",
                ])
            }
            lastStatus = status
            driver.publish(status)
        }
    }

    private mutating func releaseConfirmedReads() {
        let applied = node.appliedIndex
        confirmedReads.removeAll { entry in
            guard entry.index <= applied else { return false }
            entry.read.continuation.resume()
            return true
        }
    }

    /// Leading is only useful once the entries of earlier terms are applied (the job tables are current), which is
    /// when the first entry of this term (the no-op) has been applied.
    private mutating func updateLeadership() async {
        let ready = node.role == .leader && lastAppliedTerm == node.term
        guard ready != leaderReady else { return }
        leaderReady = ready
        if ready, !node.membership.learners.isEmpty, node.snapshot == nil { snapshotWanted = true }
        await driver.leadershipHandler?(ready)
    }

    /// Starts copying the tables for a snapshot when one is asked for or the log has grown enough, unless a copy
    /// is under way. The copy runs beside the loop, which goes on applying; `finishCaptures` picks it up.
    private mutating func startSnapshotIfDue() {
        guard capture == nil else { return }
        if let retryAt = captureRetryAt, clock.now < retryAt { return }
        let applied = node.appliedIndex
        let snapshotIndex = node.snapshot?.index ?? 0
        let configuration = driver.configuration
        let requested = !snapshotRequests.isEmpty || snapshotWanted || snapshotFileMissing
        guard requested || applied >= snapshotIndex + configuration.snapshotEvery
            || (appliedBytes >= configuration.snapshotLogBytes && applied > snapshotIndex)
        else { return }
        snapshotWanted = false
        guard applied > snapshotIndex || snapshotFileMissing else {
            // Nothing applied since the last snapshot: it is as current as a new one would be.
            for request in snapshotRequests { request.resume() }
            snapshotRequests = []
            return
        }
        captureWaiters = snapshotRequests
        snapshotRequests = []
        let driver = self.driver
        let path = driver.snapshotFiles.newPartialPath()
        capture = Task {
            do {
                driver.post(.snapshotCaptured(path, .success(try await driver.capture(into: path))))
            } catch {
                driver.post(.snapshotCaptured(path, .failure(error)))
            }
        }
    }

    /// Turns finished copies into snapshots: the core compacts to the copy's index, the file gets its name, and the
    /// snapshot's metadata is recorded (dropping the log entries it covers). A copy overtaken by a snapshot
    /// installed from the leader meanwhile is thrown away.
    private mutating func finishCaptures() async throws {
        let finished = captured
        captured = []
        for (path, result) in finished {
            capture = nil
            let waiters = captureWaiters
            captureWaiters = []
            let index: UInt64
            switch result {
            case .success(let copied):
                index = copied
                captureRetryAt = nil
            case .failure(let error):
                driver.snapshotFiles.remove(path)
                driver.log.error("snapshot copy failed", metadata: ["error": "\(error)"])
                captureRetryAt = clock.now.advanced(by: .seconds(5))
                for waiter in waiters { waiter.resume(throwing: error) }
                continue
            }
            if let snapshot = node.compact(through: index) {
                // The loop waits for these (no proposal is answered meanwhile): logged, to see what it costs.
                let recordStart = ContinuousClock.now
                try await driver.snapshotFiles.publish(path, as: snapshot)
                try await driver.saveSnapshot(snapshot)
                pruneOwed = true
                driver.snapshotFiles.removeOlder(than: snapshot)
                appliedBytes = node.entries.reduce(0) { $0 + ($1.index <= node.appliedIndex ? $1.data.count : 0) }
                snapshotFileMissing = false
                driver.log.info("snapshot taken", metadata: [
                    "index": "\(index)", "record_ms": "\(Int((ContinuousClock.now - recordStart).inSeconds * 1000))",
                ])
            } else if let current = node.snapshot, current.index == index, !driver.snapshotFiles.holds(current) {
                // The current snapshot had no file, and nothing was applied since: this copy is of exactly it.
                // Recording it again clears what an older version kept in the database instead.
                try await driver.snapshotFiles.publish(path, as: current)
                try await driver.saveSnapshot(current)
                snapshotFileMissing = false
                driver.log.info("snapshot file written", metadata: ["index": "\(index)"])
            } else {
                driver.snapshotFiles.remove(path)
            }
            for waiter in waiters { waiter.resume() }
        }
        publishStatus()
    }

    private mutating func expire(now: ContinuousClock.Instant) {
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
