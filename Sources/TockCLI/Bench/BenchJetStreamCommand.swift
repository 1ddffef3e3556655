import ArgumentParser
import Foundation
import Synchronization
import TockCore
import TockNATS

/// The raw JetStream baseline, written against cnats through TockNATS as Tock is: publish `--count` messages of
/// `--size` bytes with pipelined asynchronous publishes (each waits for its PubAck), then consume them with a pull
/// consumer, acking each. A Tock job crosses JetStream twice (the run, then its completion), each crossing one
/// such publish and one fetch+ack.
struct BenchJetStreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jetstream", abstract: "Raw JetStream publish and pull-consume rates (the baseline).")

    @OptionGroup var nats: NATSOptions
    @Option(help: "Messages.") var count: Int = 50_000
    @Option(help: "Message size in bytes.") var size: Int = 200
    @Option(help: "Publishes in flight at once.") var inFlight: Int = 1024
    @Option(help: "Messages per fetch.") var fetchBatch: Int = 256
    @Option(help: "Stream storage: file or memory.") var storage: String = "file"

    struct Result: Encodable {
        var messages: Int
        var bytes: Int
        var publishSeconds: Double
        var consumeSeconds: Double
        var publishPerSecond: Double
        var consumePerSecond: Double
        /// Messages through the broker per second, published then consumed: N / (publish time + consume time).
        var roundTripPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case messages, bytes
            case publishSeconds = "publish_seconds"
            case consumeSeconds = "consume_seconds"
            case publishPerSecond = "publish_per_second"
            case consumePerSecond = "consume_per_second"
            case roundTripPerSecond = "round_trip_per_second"
        }
    }

    static let stream = "TOCK_BENCH"

    func run() async throws {
        guard count > 0, size >= 0, inFlight > 0, fetchBatch > 0 else {
            throw ValidationError("--count, --in-flight and --fetch-batch must be positive")
        }
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
        try printJSON(
            Result(
                messages: count, bytes: size, publishSeconds: publishTime.inSeconds,
                consumeSeconds: consumeTime.inSeconds,
                publishPerSecond: Double(count) / publishTime.inSeconds,
                consumePerSecond: Double(count) / consumeTime.inSeconds,
                roundTripPerSecond: Double(count) / (publishTime + consumeTime).inSeconds))
    }
}
