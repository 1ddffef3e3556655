import ArgumentParser
import AsyncHTTPClient
import Foundation
import Synchronization
import TockConcurrency
import TockCore
import TockExecutor
import TockNATS

/// The raw JetStream baseline, written against cnats through TockNATS as Tock is: publish `--count` messages of
/// `--size` bytes with pipelined asynchronous publishes (each waits for its PubAck), then consume them with a pull
/// consumer, acking each. A Tock job crosses JetStream twice (the run, then its completion), each crossing one
/// such publish and one fetch+ack.
///
/// With `--webhook URL`, a second baseline: the same messages consumed again, each POSTed to the URL with the
/// executors' HTTP client set-up (`WebhookHTTP`) before its ack, up to `--calls-in-flight` at once. No job state, no
/// completion, no Raft: what any executor design could reach on this machine.
struct BenchJetStreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jetstream", abstract: "Raw JetStream publish and pull-consume rates (the baseline).")

    @OptionGroup var nats: NATSOptions
    @Option(help: "Messages.") var count: Int = 50_000
    @Option(help: "Message size in bytes.") var size: Int = 200
    @Option(help: "Publishes in flight at once.") var inFlight: Int = 1024
    @Option(help: "Messages per fetch.") var fetchBatch: Int = 256
    @Option(help: "Stream storage: file or memory.") var storage: String = "file"
    @Option(help: "Also consume every message again, POSTing it here before its ack (the webhook baseline).")
    var webhook: String?
    @Option(help: "Webhook calls in flight at once, with --webhook.") var callsInFlight: Int = 64

    struct Result: Encodable {
        var messages: Int
        var bytes: Int
        var publishSeconds: Double
        var consumeSeconds: Double
        var publishPerSecond: Double
        var consumePerSecond: Double
        /// Messages through the broker per second, published then consumed: N / (publish time + consume time).
        var roundTripPerSecond: Double
        /// With `--webhook`: N / (publish time + consume-and-call time), and the calls that did not answer 2xx.
        var webhookRoundTripPerSecond: Double?
        var webhookErrors: Int?

        enum CodingKeys: String, CodingKey {
            case messages, bytes
            case publishSeconds = "publish_seconds"
            case consumeSeconds = "consume_seconds"
            case publishPerSecond = "publish_per_second"
            case consumePerSecond = "consume_per_second"
            case roundTripPerSecond = "round_trip_per_second"
            case webhookRoundTripPerSecond = "webhook_round_trip_per_second"
            case webhookErrors = "webhook_errors"
        }
    }

    static let stream = "TOCK_BENCH"

    func run() async throws {
        guard count > 0, size >= 0, inFlight > 0, fetchBatch > 0 else {
            throw ValidationError("--count, --in-flight and --fetch-batch must be positive")
        }
        guard callsInFlight > 0 else { throw ValidationError("--calls-in-flight must be positive") }
        guard storage == "file" || storage == "memory" else {
            throw ValidationError("--storage must be file or memory")
        }
        let connection = try nats.connect(name: "tock-bench-jetstream")
        defer { connection.close() }
        let js = try connection.jetStream(maxPendingPublishes: inFlight)
        try? js.deleteStream(Self.stream)
        _ = try js.ensureStream(
            StreamConfig(
                name: Self.stream, subjects: ["tock-bench.>"],
                storage: storage == "file" ? .file : .memory))
        defer { try? js.deleteStream(Self.stream) }
        _ = try js.ensureConsumer(
            stream: Self.stream,
            ConsumerConfig(
                durable: "bench", filterSubject: "tock-bench.>",
                maxAckPending: max(10_000, fetchBatch * 4)))
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)

        let publishStart = ContinuousClock.now
        let next = WorkCursor()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    while true {
                        guard next.take() < count else { return }
                        _ = try await js.publish(subject: "tock-bench.jobs", payload: payload, msgID: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        let publishTime = ContinuousClock.now - publishStart

        let subscription = try js.pullSubscribe(stream: Self.stream, durable: "bench", filter: "tock-bench.>")
        defer { subscription.close() }
        let consumeStart = ContinuousClock.now
        var consumed = 0
        while consumed < count {
            let messages = try await subscription.fetch(batch: fetchBatch, expires: .seconds(2))
            guard !messages.isEmpty else { throw CLIError("the stream ran dry after \(consumed) of \(count) messages") }
            for message in messages { try message.ack() }
            consumed += messages.count
        }
        let consumeTime = ContinuousClock.now - consumeStart
        var result = Result(
            messages: count, bytes: size, publishSeconds: publishTime.inSeconds,
            consumeSeconds: consumeTime.inSeconds,
            publishPerSecond: Double(count) / publishTime.inSeconds,
            consumePerSecond: Double(count) / consumeTime.inSeconds,
            roundTripPerSecond: Double(count) / (publishTime + consumeTime).inSeconds)
        if let webhook {
            let (callTime, errors) = try await consumeCalling(webhook, js: js, payload: payload)
            result.webhookRoundTripPerSecond = Double(count) / (publishTime + callTime).inSeconds
            result.webhookErrors = errors
        }
        try printJSON(result)
    }

    /// Publishes the messages again, then fetches them, POSTs each to `url` and acks it once answered; returns
    /// the time from the first fetch to the last ack, and how many calls did not answer 2xx.
    private func consumeCalling(_ url: String, js: JetStream, payload: [UInt8]) async throws -> (Duration, Int) {
        let next = WorkCursor()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    while next.take() < count {
                        _ = try await js.publish(subject: "tock-bench.jobs", payload: payload, msgID: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: WebhookHTTP.configuration)
        let subscription = try js.pullSubscribe(stream: Self.stream, durable: "bench", filter: "tock-bench.>")
        let slots = AsyncSemaphore(capacity: callsInFlight)
        let tally = Tally()
        let start = ContinuousClock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var fetched = 0
                while fetched < count {
                    let messages = try await subscription.fetch(
                        batch: min(fetchBatch, callsInFlight), expires: .seconds(2))
                    guard !messages.isEmpty else {
                        throw CLIError("the stream ran dry after \(fetched) of \(count) messages")
                    }
                    fetched += messages.count
                    for message in messages {
                        _ = await slots.acquire()
                        group.addTask {
                            defer { slots.release() }
                            var request = HTTPClientRequest(url: url)
                            request.method = .POST
                            request.headers.add(name: "Content-Type", value: "application/octet-stream")
                            request.body = .bytes(message.payload)
                            let ok: Bool
                            do {
                                let response = try await client.execute(request, timeout: .seconds(10))
                                _ = try await response.body.collect(upTo: 1 << 20)
                                ok = (200..<300).contains(response.status.code)
                            } catch {
                                ok = false
                            }
                            tally.add(ok: ok ? 1 : 0, errors: ok ? 0 : 1)
                            try message.ack()
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            subscription.close()
            try? await client.shutdown()
            throw error
        }
        let elapsed = ContinuousClock.now - start
        subscription.close()
        try await client.shutdown()
        return (elapsed, tally.errors)
    }
}
