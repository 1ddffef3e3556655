import Foundation
import Logging
import TockCore
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

@testable import TockExecutor

/// Executors run in the test process against a harness's broker with no shard: the test publishes runs as a shard
/// leader would and reads the executors' completions from TOCK_DONE, where nobody consumes them. Nothing else
/// then touches a run's message, so what happens to it is the executors' doing alone.
final class LoneExecutors: @unchecked Sendable {
    // Mutated only from the test's own task, between awaits.
    let tock: TockHarness
    let connection: NATSConnection
    let js: JetStream
    private var running: [String: Task<Void, Never>] = [:]

    init(_ tock: TockHarness) throws {
        self.tock = tock
        connection = try NATSConnection.connect(url: tock.nats.url)
        js = try connection.jetStream()
    }

    /// An executor of normal-priority runs, configured as the harness's own (200 ms back-off base), with `queues`
    /// applied when given; `settle` replaces how it acks or terminates a finished run.
    @discardableResult
    func start(
        _ id: String, queues: QueueConfig? = nil, logger: Logger? = nil,
        settle: @escaping @Sendable (JetStreamMessage, Outcome) throws -> Void = Executor.settleFinishedRun
    )
        -> Executor
    {
        var configuration = ExecutorConfiguration()
        if let queues { configuration.apply(queues) }
        configuration.natsURL = tock.nats.url
        configuration.executorID = id
        configuration.priorities = [.normal]
        configuration.deliverCallbacks = false
        configuration.backoff = RetryBackoff(base: .milliseconds(200), max: .seconds(5))
        configuration.fetchExpires = .milliseconds(250)
        configuration.allowEgress = .loopback
        let executor = Executor(
            configuration: configuration, clock: SystemWallClock(), logger: logger ?? tock.logger,
            settle: settle)
        running[id] = Task { await executor.run() }
        return executor
    }

    /// Whether executor `id`'s `run` returned (after a drain, say) within `limit`; if not, it is cancelled.
    func exited(_ id: String, within limit: Duration) async -> Bool {
        guard let task = running.removeValue(forKey: id) else { return true }
        let exited = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await task.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            if !first { task.cancel() }
            group.cancelAll()
            return first
        }
        return exited
    }

    func stopAll() async {
        for task in running.values { task.cancel() }
        for task in running.values { await task.value }
        running = [:]
        connection.close()
    }

    /// Publishes run 1 of a new job of shard 0 to the sink's `path`, as a shard leader would.
    func publish(_ path: String, timeoutMs: UInt32 = 5_000, maxAttempts: UInt32 = 3) async throws -> JobRun {
        let now = SystemWallClock().nowNs()
        let run = JobRun(
            jobID: JobID.make(shard: 0, nowNs: now), run: 1, shard: 0, priority: .normal,
            target: HTTPTarget(url: "\(tock.sink.baseURL)/\(path)", method: "POST", headers: [], body: []),
            timeoutMs: timeoutMs, maxAttempts: maxAttempts, idempotencyKey: "", dueAtNs: now,
            publishedAtNs: now, traceID: "")
        _ = try await js.publish(
            subject: Subjects.jobs(priority: .normal, shard: 0), payload: run.encoded(),
            msgID: Subjects.runMessageID(jobID: run.jobID, run: run.run))
        return run
    }

    /// The completions TOCK_DONE holds for `run`: one, once it ended, however often it was reported.
    func completions(of run: JobRun) async throws -> [Completion] {
        let state = try js.streamInfo(Subjects.doneStream)
        guard state.messages > 0 else { return [] }
        var found: [Completion] = []
        for sequence in state.firstSequence...state.lastSequence {
            // By content, not by message id: a report stored twice under two ids is two completions.
            guard let message = try await js.storedMessage(stream: Subjects.doneStream, sequence: sequence) else {
                continue
            }
            // Executors publish `CompletionBatch`es; a single `Completion` does not read as one (its job id would
            // have to be a completion with an outcome).
            let inMessage =
                try (try? CompletionBatch(decoding: message.payload).completions)
                ?? [Completion(decoding: message.payload)]
            found += inMessage.filter { $0.jobID == run.jobID && $0.run == run.run }
        }
        return found
    }

    /// Waits for `run`'s completion and returns it.
    func completion(
        of run: JobRun, within limit: Duration = .seconds(10), file: StaticString = #filePath,
        line: UInt = #line
    ) async throws -> Completion {
        try await eventually(within: limit, "a completion of \(run.jobID)", file: file, line: line) {
            try await completions(of: run).first
        }
    }

    /// The `Tock-Attempt` of every call the sink received for `run`, in order.
    func attemptsCalled(_ run: JobRun) -> [String] {
        tock.sink.requests(forJob: run.jobID).map { $0.headers["tock-attempt"] ?? "?" }
    }

    func assertNothingLeft(of run: JobRun, file: StaticString = #filePath, line: UInt = #line) async throws {
        try await TockIntegrationTests.assertNothingLeft(
            ofJob: run.jobID, run: run.run, natsURL: tock.nats.url,
            file: file, line: line)
    }
}
