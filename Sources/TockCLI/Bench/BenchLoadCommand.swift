import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import TockCore
import TockModel
import TockWire

/// Submits `--count` jobs, due at once or `--delay` after their submission, to the shard nodes given, as fast as
/// `--concurrency` requests allow or at a fixed `--rate`, in calls of `--batch` jobs (1: `POST /v1/jobs`, more:
/// `POST /v1/jobs:batch`), and with `--wait` waits until the shards have committed every job's completion.
struct BenchLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Submit jobs at full speed or a fixed rate; time submit and end to end.")

    @Option(name: .customLong("server"), help: "A shard node's (or router's) HTTP API; repeat to spread calls.")
    var servers: [String] = ["http://127.0.0.1:7070"]
    @Option(help: "The webhook every job calls.") var url: String = "http://127.0.0.1:7091/job"
    @Option(help: "Jobs to submit.") var count: Int = 50_000
    @Option(help: "Jobs per call: 1 uses POST /v1/jobs, more POST /v1/jobs:batch (at most 1000).") var batch: Int = 100
    @Option(help: "Calls in flight at once.") var concurrency: Int = 8
    @Option(help: "Jobs per second to submit at; 0 submits as fast as the calls go.") var rate: Double = 0
    @Option(help: "Priorities by weight, e.g. normal, or critical=1,high=2,normal=5,low=2.") var priorities: String =
        "normal"
    @Option(help: "Body size of each job in bytes.") var bodyBytes: Int = 200
    @Option(help: "Each job is due this long after it is submitted (e.g. 1s); none: due at once.") var delay: String?
    @Flag(help: "Wait until every job's completion is committed (GET /v1/jobs:counts).") var wait = false
    @Option(help: "Longest wait for completions, in seconds.") var timeout: Double = 600

    struct Result: Encodable {
        var jobs: Int
        var submitted: Int
        var errors: Int
        var submitSeconds: Double
        var submitPerSecond: Double
        var targetRate: Double?
        var endToEndSeconds: Double?
        var endToEndPerSecond: Double?

        enum CodingKeys: String, CodingKey {
            case jobs, submitted, errors
            case submitSeconds = "submit_seconds"
            case submitPerSecond = "submit_per_second"
            case targetRate = "target_rate"
            case endToEndSeconds = "end_to_end_seconds"
            case endToEndPerSecond = "end_to_end_per_second"
        }
    }

    func run() async throws {
        guard count > 0, (1...1000).contains(batch), concurrency > 0, rate >= 0, bodyBytes >= 0, !servers.isEmpty else {
            throw ValidationError("--count and --concurrency must be positive, --batch 1...1000, --rate 0 or more")
        }
        if let delay, DurationText.parseNs(delay) == nil {
            throw ValidationError("--delay must be a duration such as 500ms or 2s")
        }
        let mix = try Self.parseMix(priorities)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        configuration.tracing.tracer = nil  // no span per call: the load generator shares the CPU it measures
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Result
        do {
            result = try await measure(client, mix: mix)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        try printJSON(result)
    }

    private func measure(_ client: HTTPClient, mix: [Priority]) async throws -> Result {
        let bases = servers.map { $0.trimmingCharacters(in: ["/"]) }
        let finishedBefore = wait ? try await Self.finished(client, bases[0]) : 0

        let body = String(repeating: "x", count: bodyBytes)
        let due = delay.map { #","delay":"\#($0)""# } ?? ""
        let calls = (count + batch - 1) / batch
        let cursor = WorkCursor()
        let outcome = Tally()
        let start = ContinuousClock.now
        let progress = TerminalProgress()
        defer { progress.finish() }
        let reporter = Self.report(every: .milliseconds(250), progress) { [count] in
            let done = outcome.ok + outcome.errors
            let perSecond = Double(outcome.ok) / max((ContinuousClock.now - start).inSeconds, 0.001)
            return "tock bench load: submitted \(done) / \(count), \(Int(perSecond)) jobs/s"
                + (outcome.errors > 0 ? ", \(outcome.errors) errors" : "")
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let call = cursor.take()
                        guard call < calls else { return }
                        let first = call * batch
                        let jobs = (first..<min(first + batch, count)).map { index in
                            #"{"url":"\#(url)","body":"\#(body)","priority":"\#(mix[index % mix.count].rawValue)"\#(due)}"#
                        }
                        if rate > 0 {
                            try? await Task.sleep(
                                until: start + .nanoseconds(Int64(Double(first) / rate * 1e9)),
                                clock: .continuous)
                        }
                        let ok = await Self.submit(jobs, to: bases[call % bases.count], client: client)
                        outcome.add(ok: ok, errors: jobs.count - ok)
                    }
                }
            }
        }
        let submitTime = ContinuousClock.now - start
        reporter?.cancel()
        await reporter?.value
        let (ok, errors) = (outcome.ok, outcome.errors)
        var result = Result(
            jobs: count, submitted: ok, errors: errors, submitSeconds: submitTime.inSeconds,
            submitPerSecond: Double(ok) / submitTime.inSeconds, targetRate: rate > 0 ? rate : nil)
        if wait {
            let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
            while true {
                let finished = try await Self.finished(client, bases[0]) - finishedBefore
                guard finished < ok else { break }
                progress.show("tock bench load: \(finished) / \(ok) jobs finished")
                guard ContinuousClock.now < deadline else {
                    throw CLIError("not every job finished within \(timeout) s")
                }
                // Counting is a read of the whole state index on every shard: often enough, no more.
                try await Task.sleep(for: .milliseconds(100))
            }
            let total = ContinuousClock.now - start
            result.endToEndSeconds = total.inSeconds
            result.endToEndPerSecond = Double(ok) / total.inSeconds
        }
        return result
    }

    /// Shows `line()` on a terminal now and every `interval` until cancelled; nil when stderr is no terminal.
    private static func report(
        every interval: Duration, _ progress: TerminalProgress, _ line: @escaping @Sendable () -> String
    ) -> Task<Void, Never>? {
        guard progress.enabled else { return nil }
        return Task {
            while !Task.isCancelled {
                progress.show(line())
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// How many of `jobs` the shard created (201; a 200 would be an idempotent repeat, which these jobs never are).
    private static func submit(_ jobs: [String], to base: String, client: HTTPClient) async -> Int {
        var request: HTTPClientRequest
        if jobs.count == 1 {
            request = HTTPClientRequest(url: base + "/v1/jobs")
            request.body = .bytes(ByteBuffer(string: jobs[0]))
        } else {
            request = HTTPClientRequest(url: base + "/v1/jobs:batch")
            request.body = .bytes(ByteBuffer(string: #"{"jobs":["# + jobs.joined(separator: ",") + "]}"))
        }
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        do {
            let response = try await client.execute(request, timeout: .seconds(60))
            let answer = try await response.body.collect(upTo: 16 << 20)
            if jobs.count == 1 { return response.status.code == 201 ? 1 : 0 }
            guard response.status.code == 200 else { return 0 }
            return String(buffer: answer).components(separatedBy: #""status":201"#).count - 1
        } catch {
            return 0
        }
    }

    /// Jobs that finished (succeeded or failed) across all shards.
    private static func finished(_ client: HTTPClient, _ base: String) async throws -> Int {
        let response = try await client.execute(HTTPClientRequest(url: base + "/v1/jobs:counts"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let counts = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))
        guard case .object(let fields) = counts, case .object(let total)? = fields["total"] else {
            throw CLIError("unexpected counts: \(counts)")
        }
        return [total["succeeded"], total["failed"]].reduce(0) { sum, value in
            if case .int(let n)? = value { return sum + Int(n) }
            return sum
        }
    }

    /// "critical=1,high=2" → [critical, high, high]: job i gets entry i mod count.
    static func parseMix(_ text: String) throws -> [Priority] {
        var mix: [Priority] = []
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard let priority = Priority(rawValue: String(pieces[0])),
                let weight = pieces.count == 2 ? Int(pieces[1]) : 1, (1...100).contains(weight)
            else { throw ValidationError("--priorities must be like normal or critical=1,high=2,normal=5,low=2") }
            mix += Array(repeating: priority, count: weight)
        }
        guard !mix.isEmpty else { throw ValidationError("--priorities names no priority") }
        return mix
    }
}
