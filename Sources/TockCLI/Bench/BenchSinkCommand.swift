import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TockCore

/// A webhook target that answers 200 at once and records, for each first attempt, how late it arrived: its
/// receipt time less the run's `Tock-Due-At`. `GET /stats` answers the latency percentiles and the count;
/// `POST /reset` clears them.
struct BenchSinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink", abstract: "A quiet webhook sink that records due-to-receipt latency.")

    @Option(help: "Listen address.") var listen: String = "127.0.0.1:7091"
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger("tock.bench-sink")
        let (host, port) = try parseHostPort(listen, option: "--listen")
        let recorder = LatencyRecorder()
        let router = Router()
        router.get("/stats") { _, _ in
            let body = try JSONEncoder().encode(recorder.summary())
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.post("/reset") { _, _ in
            recorder.reset()
            return Response(status: .noContent)
        }
        router.on("**", method: .post) { request, _ in
            let receivedNs = SystemWallClock().nowNs()
            if request.headers[.init("Tock-Attempt")!] == "1", let due = request.headers[.init("Tock-Due-At")!],
                let dueNs = RFC3339.parseNs(due)
            {
                recorder.record(receivedNs - dueNs)
            } else if request.headers[.init("Tock-Attempt")!] == nil {
                recorder.countUntimed()
            }
            return Response(status: .ok)
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "tock-bench-sink"),
            onServerRunning: { _ in logger.info("bench sink listening", metadata: ["address": "\(host):\(port)"]) },
            logger: logger)
        try await ServiceGroup(
            configuration: .init(
                services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ).run()
    }
}

/// The sink's samples: latencies of timed webhook calls, and a count of untimed requests (the sink measured alone).
final class LatencyRecorder: Sendable {
    private struct State {
        var samplesNs: [Int64] = []
        var untimed = 0
    }

    private let state = Mutex(State())

    func record(_ latencyNs: Int64) { state.withLock { $0.samplesNs.append(latencyNs) } }
    func countUntimed() { state.withLock { $0.untimed += 1 } }
    func reset() { state.withLock { $0 = State() } }

    struct Stats: Encodable {
        var latency: LatencySummary
        var untimed: Int
    }

    func summary() -> Stats {
        let (samples, untimed) = state.withLock { ($0.samplesNs, $0.untimed) }
        return Stats(latency: LatencySummary(samplesNs: samples), untimed: untimed)
    }
}
