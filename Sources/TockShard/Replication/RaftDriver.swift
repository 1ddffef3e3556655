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
    /// What the loop's deadlines are measured on: ticks, request time-outs, the retries after a failed write or
    /// snapshot copy. Tests pass one they move themselves.
    let clock: any LoopClock
    private let database: DatabaseQueue
    private let stateMachine: JobStateMachine
    private let inbox: DriverInbox
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
    ///   - clock: the loop's time; a test's own clock steps it through its deadlines.
    ///   - onPeerRefused: called for every Raft connection the handshake refused.
    ///   - simulatedTransport: for simulations, replaces the TCP transport: given where received messages go and
    ///     this node's snapshot files, it returns what carries this node's messages.
    init(
        configuration: RaftClusterConfiguration, database: DatabaseQueue, stateMachine: JobStateMachine,
        logger: Logger, shard: UInt32 = 0, clock: any LoopClock = SystemLoopClock(),
        onPeerRefused: @escaping @Sendable (RaftPeerRefusal.Reason) -> Void = { _ in },
        simulatedTransport: SimulatedTransportFactory? = nil
    ) throws {
        self.configuration = configuration
        self.clock = clock
        self.database = database
        self.stateMachine = stateMachine
        var logger = logger
        logger[metadataKey: "raft.node"] = "\(configuration.nodeID)"
        self.logger = logger
        let inbox = DriverInbox()
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
                identity: RaftPeerIdentity(
                    clusterID: configuration.clusterID, shard: shard,
                    secret: configuration.secret),
                limits: configuration.connectionLimits, onRefusal: onPeerRefused, tls: configuration.tls)
            if configuration.secret == nil {
                logger.warning(
                    """
                    the Raft port is unauthenticated: anyone who can reach it can act as a node of the shard; \
                    give every node --cluster-secret-file
                    """,
                    metadata: ["raft.address": "\(me.host):\(me.port)"])
            }
        } else {
            transport = nil
        }
    }

    private static func merge(
        _ configuration: RaftClusterConfiguration,
        _ committed: [(node: NodeID, raft: HostPort, http: HostPort)]
    )
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

    /// The Raft address of `node` (this node's own included), if known.
    public func raftAddress(of node: NodeID) -> HostPort? {
        addresses.withLock { $0.raft[node] }
    }

    /// Re-reads the committed address book after it changed (a node was added, or a snapshot installed).
    func reloadAddresses() async throws {
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

    func setHandlers(
        applied: @escaping AppliedHandler, leadership: @escaping LeadershipHandler,
        status: StatusHandler? = nil
    ) {
        handlers.withLock { $0 = (applied, leadership, status) }
        status?(self.status)
    }

    /// SQLite transactions (fsyncs) that persisted a Ready so far; far fewer than entries under load (group commit).
    public var persistTransactions: Int { transactions.load(ordering: .relaxed) }

    /// What this node knows of its group now.
    public var status: ClusterStatus { currentStatus.withLock { $0 } }

    /// Whether the node's last write failed because its disk is full; proposals are refused meanwhile.
    public var isStorageFull: Bool { diskFull.load(ordering: .relaxed) }
    func setStorageFull(_ full: Bool) { diskFull.store(full, ordering: .relaxed) }

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

    /// Asks the leader (this node) to hand leadership to `target`; the handover itself completes asynchronously.
    public func transferLeadership(to target: NodeID) async throws {
        try await withCheckedThrowingContinuation { inbox.post(.transfer(target, $0)) }
    }

    /// Runs the group until the task is cancelled. Throws if the node cannot persist its state: a Raft node that
    /// cannot write its disk must stop, not carry on with promises it cannot keep.
    public func run() async throws {
        guard
            let state = initialState.withLock({ state in
                defer { state = nil }
                return state
            })
        else {
            throw RaftDriverError.stopped
        }
        if let transport { _ = try await transport.start() }
        var loop = DriverLoop(node: Self.makeNode(configuration, state), driver: self)
        if let snapshot = state.snapshot, !snapshotFiles.holds(snapshot) {
            logger.notice(
                "the current snapshot has no file (a data directory from an older version?): taking one",
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

    func take() -> [DriverEvent] { inbox.take() }
    func post(_ event: DriverEvent) { inbox.post(event) }
    func closeInbox() -> [DriverEvent] { inbox.close() }
    func waitForEvents(until deadline: ContinuousClock.Instant) async {
        await clock.wait(until: deadline, or: inbox.wakeup)
    }
    func send(_ messages: [Message]) { transport?.send(messages) }
    func publish(_ status: ClusterStatus) {
        currentStatus.withLock { $0 = status }
        handlers.withLock { $0.status }?(status)
    }
    var appliedHandler: AppliedHandler? { handlers.withLock { $0.applied } }
    var leadershipHandler: LeadershipHandler? { handlers.withLock { $0.leadership } }
    var log: Logger { logger }

    /// What one Ready's transaction applied.
    struct Applied: Sendable {
        var results: [(index: UInt64, term: UInt64, result: ApplyResult)] = []
        /// A node's address was committed (or a snapshot replaced the address book).
        var addressesChanged = false
        /// Log entries a snapshot covers are still stored: more to prune.
        var morePrunable = false
    }

    /// How many bytes of compacted log entries one transaction deletes (a few milliseconds of work).
    static let pruneBudget = 2 << 20

    /// Persists `ready`, applies what it commits, and returns the results of the applied entries; with `prune`,
    /// also deletes some of the log entries a snapshot covers.
    func write(_ ready: Ready, prune: Bool) async throws -> Applied {
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
                        logger.warning(
                            "command rejected by the state machine",
                            metadata: ["index": "\(entry.index)", "error": "\(problem)"])
                    }
                } catch let error as WireError {
                    // Every replica holds the same bytes and skips them the same way.
                    logger.error(
                        "undecodable command in the log skipped",
                        metadata: ["index": "\(entry.index)", "error": "\(error)"])
                }
            }
            applied.results.append((entry.index, entry.term, result))
        }
        if let last = ready.committedEntries.last { try RaftStore.setApplied(last.index, in: db) }
        return applied
    }

    /// Copies the job tables into a new file at `path`; returns the applied index the copy is of.
    func capture(into path: String) async throws -> UInt64 {
        let index = try await captureDatabase.read { try ShardSnapshot.capture(from: $0, into: path) }
        try await snapshotFiles.sync(path)
        return index
    }

    func saveSnapshot(_ snapshot: Snapshot) async throws {
        try await database.write { try RaftStore.compact(to: snapshot, in: $0) }
    }

    /// Deletes some of the log entries a snapshot covers; returns whether more are left.
    func pruneCompacted() async throws -> Bool {
        try await database.write { try RaftStore.pruneCompacted(byteBudget: Self.pruneBudget, in: $0) }
    }
}
