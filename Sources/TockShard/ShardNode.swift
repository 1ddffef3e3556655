import Foundation
import Logging
import TockCore
import TockNATS
import TockSQLite
import TockWire

/// One node of one shard: the job tables, the log that changes them, and — as leader — the due-timer
/// that publishes runs and the consumer that records their completions. It never runs a job itself.
public final class ShardNode: Sendable {
    public let configuration: ShardConfiguration
    private let database: DatabaseQueue
    private let log: LocalLog
    private let publisher: DuePublisher
    private let completions: CompletionConsumer
    private let link: NATSLink
    private let clock: any WallClock
    private let logger: Logger

    public init(configuration: ShardConfiguration, clock: any WallClock = SystemWallClock(), logger: Logger) async throws {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let database = try DatabaseQueue(path: configuration.databasePath)
        try database.syncWrite { try ShardSchema.migrate($0) }
        self.database = database
        let log = try LocalLog(database: database, stateMachine: JobStateMachine(shard: configuration.shard))
        self.log = log
        let link = NATSLink(url: configuration.natsURL, name: "tock-shard-\(configuration.shard)", logger: logger)
        self.link = link
        let publisher = DuePublisher(shard: configuration.shard, database: database, log: log, link: link,
                                     clock: clock, logger: logger, batchLimit: configuration.publishBatch)
        self.publisher = publisher
        self.completions = CompletionConsumer(shard: configuration.shard, log: log, link: link, clock: clock,
                                              logger: logger)
        await log.setAppliedHandler { results in
            let created = results.compactMap { result -> DueEntry? in
                guard case .created(let job) = result else { return nil }
                return DueEntry(dueAtNs: job.dueAtNs, jobID: job.id, run: job.run)
            }
            if !created.isEmpty { await publisher.schedule(created) }
        }
        try await publisher.reload()
    }

    /// Stores a validated job under a new id. Returns `.created` or, for a repeated idempotency key, `.existing`,
    /// only after the create command is committed.
    public func submit(_ spec: JobSpec) async throws -> ApplyResult {
        let now = clock.nowNs()
        var spec = spec
        spec.id = JobID.make(shard: configuration.shard, nowNs: now)
        return try await log.propose(.createJob(spec, createdAtNs: now))
    }

    /// The node's wall clock, so requests are validated against the same time the node schedules by.
    public func nowNs() -> Int64 { clock.nowNs() }

    public func job(id: String) async throws -> Job? {
        try await database.read { try JobRows.find(id: id, in: $0) }
    }

    /// `.cancelled`, `.notFound`, or `.conflict` for a job that already finished.
    public func cancel(id: String) async throws -> ApplyResult {
        try await log.propose(.cancelJob(jobID: id, atNs: clock.nowNs()))
    }

    /// Runs the due-timer and the completion consumer until the task is cancelled, then closes NATS.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.publisher.run() }
            group.addTask { await self.completions.run() }
            await group.waitForAll()
        }
        await link.close()
    }

    /// Completions terminated as malformed since start.
    public var malformedCompletions: Int { completions.malformedCount }
}

extension ShardNode {
    /// How many jobs are in each state.
    public func jobCounts() async throws -> [JobState: Int] {
        try await database.read { db in
            var counts: [JobState: Int] = [:]
            try db.statement("SELECT state, COUNT(*) FROM jobs GROUP BY state").forEach { row in
                if let state = JobState(rawValue: row.text(0)) { counts[state] = row.int(1) }
            }
            return counts
        }
    }
}
