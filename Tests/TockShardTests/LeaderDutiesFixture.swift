import Foundation
import Logging
import TockCore
import TockModel
import TockNATS
import TockSQLite
import TockTestSupport
import TockWire

@testable import TockShard

/// What a leader's duty runs against, all real but the log: a nats-server with the streams and consumers of
/// `QueueConfig()`, a shard database file, and a `FlakyLog` that fails the proposals a test picks.
final class LeaderDutiesFixture: @unchecked Sendable {
    // Set in init, then only read; the tasks list is touched from the test's own task.
    let nats: NATSServerProcess
    let connection: NATSConnection
    let js: JetStream
    let directory: URL
    let database: DatabaseQueue
    let log: FlakyLog
    let link: NATSLink
    let quiet: Logger
    private var tasks: [Task<Void, Never>] = []

    init(_ prefix: String) throws {
        nats = try NATSServerProcess.start()
        connection = try NATSConnection.connect(url: nats.url)
        js = try connection.jetStream()
        _ = try JetStreamSetup.apply(QueueConfig(), to: js)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try DatabaseQueue(path: directory.appendingPathComponent("shard.sqlite").path)
        try database.syncWrite { try ShardSchema.migrate($0) }
        log = FlakyLog(database: database)
        var quiet = Logger(label: "test")
        quiet.logLevel =
            ProcessInfo.processInfo.environment["TOCK_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) }
            ?? .critical
        self.quiet = quiet
        link = NATSLink(url: nats.url, name: "test-duties", logger: quiet)
    }

    /// Runs `body` until `shutdown`.
    func run(_ body: @escaping @Sendable () async -> Void) {
        tasks.append(Task { await body() })
    }

    /// A due-timer on this fixture's log and broker, running, and told of runs its log commits as due.
    func startPublisher(logger: Logger? = nil, settings: DueTimer.Settings = .init()) -> DuePublisher {
        let publisher = DuePublisher(
            shard: 0, database: database, log: log, link: link, clock: SystemWallClock(),
            logger: logger ?? quiet, metrics: ShardMetrics(shard: 0),
            window: DueWindow(span: .seconds(60), capacity: 1000), settings: settings)
        log.onNewlyDue { await publisher.schedule($0) }
        run { await publisher.run() }
        return publisher
    }

    func shutdown() async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        await link.close()
        connection.close()
        nats.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: jobs

    /// Creates a job through the log, due at `dueAtNs`, and returns its id.
    func create(dueAtNs: Int64, timeoutMs: UInt32 = 1000, schedule: Schedule? = nil) async throws -> String {
        let id = JobID.make(shard: 0, nowNs: SystemWallClock().nowNs())
        let spec = JobSpec(
            id: id, priority: .normal,
            target: HTTPTarget(url: "http://sink.invalid/", method: "POST", headers: [], body: []),
            timeoutMs: timeoutMs, maxAttempts: 1, idempotencyKey: "", dueAtNs: dueAtNs, schedule: schedule)
        _ = try await log.propose(.createJob(spec, createdAtNs: dueAtNs))
        return id
    }

    func job(_ id: String) async throws -> Job? {
        try await database.read { try JobRows.find(id: id, in: $0) }
    }

    /// The message ids the normal-priority job stream holds, in stream order.
    func publishedMessageIDs() async throws -> [String] {
        let stream = Subjects.jobsStream(priority: .normal)
        let state = try js.streamInfo(stream)
        guard state.messages > 0 else { return [] }
        var ids: [String] = []
        for sequence in state.firstSequence...state.lastSequence {
            if let stored = try await js.storedMessage(stream: stream, sequence: sequence) {
                ids.append(stored.messageID ?? "")
            }
        }
        return ids
    }
}
