import AsyncHTTPClient
import Logging
import NIOHTTP1
import TockCore
import TockTestSupport
import XCTest

@testable import TockFrontDoor

/// A shard none of whose nodes answers: calls fail with 503 and Retry-After once their deadline passes, and after
/// a few such failures the shard's breaker answers at once instead of making every caller wait.
final class ShardLeadersTests: XCTestCase {
    func testAShardThatNeverAnswersOpensItsBreaker() async throws {
        // Ports nothing listens on: every connection is refused.
        let map = ShardMap(shards: [
            [
                .init(name: "n1", http: HostPort(host: "127.0.0.1", port: freeLoopbackPort())),
                .init(name: "n2", http: HostPort(host: "127.0.0.1", port: freeLoopbackPort())),
                .init(name: "n3", http: HostPort(host: "127.0.0.1", port: freeLoopbackPort())),
            ]
        ])
        var settings = ShardLeaders.Settings()
        settings.callDeadline = .milliseconds(300)
        settings.retryPause = .milliseconds(20)
        settings.breaker = CircuitBreakerPolicy(failureThreshold: 3, coolDown: .seconds(30), probeWait: .seconds(1))
        let leaders = ShardLeaders(
            map: map, sender: "test", client: FrontDoor.client(), settings: settings,
            logger: Logger(label: "test"))
        let call = ForwardedCall(method: .GET, target: "/v1/jobs/0-x", retrySafe: false)

        for attempt in 1...3 {
            guard case .failure(let failure) = await leaders.send(call, toShard: 0) else {
                return XCTFail("attempt \(attempt) succeeded against nothing")
            }
            XCTAssertEqual(failure.status, 503)
            XCTAssertEqual(failure.error.error.code, "shard_unavailable")
            XCTAssertNotNil(failure.retryAfterSeconds)
        }
        let started = ContinuousClock.now
        guard case .failure(let held) = await leaders.send(call, toShard: 0) else {
            return XCTFail("breaker let it pass")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(100), "an open breaker answers at once")
        XCTAssertEqual(held.status, 503)
        XCTAssertGreaterThanOrEqual(held.retryAfterSeconds ?? 0, 29, "Retry-After is the breaker's remaining cool-down")
    }

    func testConnectionRefusalsCountAsNeverSent() {
        struct Refused: Error, CustomStringConvertible {
            var description: String { "connect(descriptor:addr:size:): Connection refused (errno: 111)" }
        }
        XCTAssertTrue(ShardLeaders.neverSent(Refused()))
        XCTAssertTrue(ShardLeaders.neverSent(HTTPClientError.connectTimeout))
        XCTAssertFalse(ShardLeaders.neverSent(HTTPClientError.remoteConnectionClosed))
    }
}
