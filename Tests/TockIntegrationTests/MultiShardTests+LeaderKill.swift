import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TockCore
import TockTestSupport
import XCTest

/// A shard's leader killed under load from clients of the other shard: 503s with Retry-After, no lost submit.
extension MultiShardTests {
    func testKillingAShardsLeaderAnswers503WithRetryAfterAndLosesNoAcknowledgedSubmit() async throws {
        let leader = try await fleet.awaitLeader(shard: 1)
        // Clients talk to shard 0's nodes only, so every call for shard 1 crosses shards.
        let bases = fleet.names.map { fleet.base(shard: 0, node: $0) }
        let client = RecordingClient(sink: tock.sink.baseURL)
        let submitting = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var i = 0
                        while !Task.isCancelled {
                            i += 1
                            await client.submit(key: "w\(worker)-\(i)", to: bases[i % bases.count])
                        }
                    }
                }
            }
        }
        _ = try await eventually(within: .seconds(20), "100 acknowledged submits before the kill") {
            client.acknowledged.count >= 100 ? true : nil
        }
        let killedAt = ContinuousClock.now
        fleet.kill(shard: 1, node: leader)
        _ = try await fleet.awaitLeader(shard: 1, among: fleet.names.filter { $0 != leader }, within: .seconds(10)) {
            $0 != leader
        }
        _ = try await eventually(within: .seconds(15), "shard 1 acknowledging submits again") {
            client.acknowledgedAt(shard: 1, after: killedAt) >= 20 ? true : nil
        }
        submitting.cancel()
        await submitting.value
        await client.shutdown()

        XCTAssertEqual(client.unexpected, [], "answers other than 201/200 or a 503 with Retry-After")
        let acknowledged = client.acknowledged
        _ = try await eventually(within: .seconds(60), "every acknowledged job at the webhook") {
            acknowledged.allSatisfy { !self.tock.sink.requests(forJob: $0).isEmpty } ? true : nil
        }
    }
}

/// Submits with idempotency keys and records every answer: acknowledged ids (201, or 200 for a key whose job
/// exists) with their time, and anything else that is not a 503 carrying Retry-After.
final class RecordingClient: @unchecked Sendable {
    private let sink: String
    private let lock = NSLock()
    private var acks: [(id: String, at: ContinuousClock.Instant)] = []
    private var odd: [String] = []
    private let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(1)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    init(sink: String) { self.sink = sink }

    var acknowledged: [String] { lock.withLock { acks.map(\.id) } }
    var unexpected: [String] { lock.withLock { odd } }

    func acknowledgedAt(shard: UInt32, after instant: ContinuousClock.Instant) -> Int {
        lock.withLock { acks.filter { $0.at > instant && JobID.shard(of: $0.id) == shard }.count }
    }

    func submit(key: String, to base: String) async {
        var request = HTTPClientRequest(url: base + "/v1/jobs")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"url": "\#(sink)/ok", "idempotency_key": "\#(key)"}"#))
        do {
            let response = try await client.execute(request, timeout: .seconds(20))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let json = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))
            // 200: the key's job already existed — a forwarded attempt that committed before its node died, retried.
            if response.status == .created || response.status == .ok, let id = json?["id"]?.string {
                let now = ContinuousClock.now
                lock.withLock { acks.append((id, now)) }
            } else if !(response.status == .serviceUnavailable && response.headers.first(name: "retry-after") != nil) {
                let line = "\(response.status.code) \(String(buffer: bytes))"
                lock.withLock { odd.append(line) }
            }
        } catch {
            guard !Task.isCancelled else { return }
            let line = "\(error)"
            lock.withLock { odd.append(line) }
        }
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}
