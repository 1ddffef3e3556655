import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import TockCore

/// Measures the bench sink alone: POSTs of the jobs' body size from `--concurrency` connections for `--seconds`,
/// so the benchmark can show the sink is not what bounds Tock.
struct BenchHammerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hammer", abstract: "Load a webhook URL alone and print its request rate.")

    @Option(help: "URL to POST to.") var url: String
    @Option(help: "Requests in flight at once.") var concurrency: Int = 64
    @Option(help: "How long to send.") var seconds: Double = 3
    @Option(help: "Body size in bytes.") var bodyBytes: Int = 200

    struct Result: Encodable {
        var requests: Int
        var errors: Int
        var seconds: Double
        var perSecond: Double

        enum CodingKeys: String, CodingKey {
            case requests, errors, seconds
            case perSecond = "per_second"
        }
    }

    func run() async throws {
        guard concurrency > 0, seconds > 0 else {
            throw ValidationError("--concurrency and --seconds must be positive")
        }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        configuration.tracing.tracer = nil  // no span per call: the load generator shares the CPU it measures
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: bodyBytes)
        let counts = Tally()
        let start = ContinuousClock.now
        let end = start + .milliseconds(Int64(seconds * 1000))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while ContinuousClock.now < end {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.body = .bytes(body)
                        do {
                            let response = try await client.execute(request, timeout: .seconds(5))
                            _ = try await response.body.collect(upTo: 1 << 16)
                            counts.add(ok: 1, errors: 0)
                        } catch {
                            counts.add(ok: 0, errors: 1)
                        }
                    }
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        try await client.shutdown()
        let (ok, errors) = (counts.ok, counts.errors)
        try printJSON(
            Result(requests: ok, errors: errors, seconds: elapsed.inSeconds, perSecond: Double(ok) / elapsed.inSeconds))
    }
}

/// One JSON object on stdout, for ops/bench.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
