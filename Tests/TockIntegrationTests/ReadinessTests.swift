import Foundation
import Logging
import TockCore
import TockTestSupport
import XCTest

@testable import TockFrontDoor

/// `GET /readyz` apart from `/healthz`: 200 only while the process can do its work, else 503 with the reason.
final class ReadinessTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func check(_ reply: TockHarness.Reply, _ name: String) -> String? {
        guard case .array(let checks)? = reply["checks"] else { return nil }
        return checks.first { $0["name"]?.string == name }.flatMap {
            $0["ok"] == .bool(true) ? "ok" : $0["detail"]?.string
        }
    }

    func testAShardIsReadyWithALeaderAndNATSAndNotWhileNATSIsAway() async throws {
        let ready = try await eventually("the shard to be ready") {
            let reply = try await tock.request(.GET, "/readyz")
            return reply.status == 200 ? reply : nil
        }
        XCTAssertEqual(ready["ready"], .bool(true))
        XCTAssertEqual(check(ready, "leader"), "ok")
        XCTAssertEqual(check(ready, "nats"), "ok")
        let healthy = try await tock.request(.GET, "/healthz")
        XCTAssertEqual(healthy.status, 200)

        tock.nats.stop()
        let away = try await eventually("the shard to say NATS is away") {
            let reply = try await tock.request(.GET, "/readyz")
            return reply.status == 503 ? reply : nil
        }
        XCTAssertEqual(away["ready"], .bool(false))
        XCTAssertEqual(check(away, "leader"), "ok")
        XCTAssertTrue(check(away, "nats")?.hasPrefix("not connected to nats://127.0.0.1:") == true, "\(away.json)")
        let alive = try await tock.request(.GET, "/healthz")
        XCTAssertEqual(alive.status, 200, "alive all the same")

        try tock.nats.restart()
        _ = try await eventually(within: .seconds(20), "the shard to be ready again") {
            try await tock.request(.GET, "/readyz").status == 200 ? true : nil
        }
    }

    func testAnExecutorIsReadyOnceBoundAndNotWhileDraining() async throws {
        let executor = try XCTUnwrap(tock.executor)
        let ready = try await eventually("the executor to bind its consumers") {
            let readiness = await executor.readiness()
            return readiness.ready ? readiness : nil
        }
        XCTAssertEqual(ready.checks.map(\.name), ["nats", "consumers", "draining"])
        executor.drain(grace: .seconds(5))
        let draining = await executor.readiness()
        XCTAssertFalse(draining.ready)
        XCTAssertEqual(draining.checks.first { !$0.ok }?.name, "draining")
    }

    func testARouterIsReadyWhenEveryShardHasAReadyNode() async throws {
        let shard = try XCTUnwrap(URLComponents(string: tock.shardURL))
        let live = ShardMap.Node(name: "n1", http: HostPort(host: "127.0.0.1", port: try XCTUnwrap(shard.port)))
        let dead = ShardMap.Node(name: "n9", http: HostPort(host: "127.0.0.1", port: freeLoopbackPort()))
        _ = try await eventually("the shard to be ready") {
            try await tock.request(.GET, "/readyz").status == 200 ? true : nil
        }

        let router = FrontDoor(map: ShardMap(shards: [[live, dead]]), name: "router", logger: Logger(label: "test"))
        let ready = await router.leaders.readiness()
        XCTAssertTrue(ready.ready, "\(ready)")
        XCTAssertEqual(ready.checks.map(\.detail), ["n1 is ready"])

        let stranded = FrontDoor(
            map: ShardMap(shards: [[live], [dead]]), name: "router", logger: Logger(label: "test"))
        let notReady = await stranded.leaders.readiness()
        XCTAssertFalse(notReady.ready)
        XCTAssertEqual(notReady.checks.map(\.ok), [true, false])
        XCTAssertTrue(notReady.checks[1].detail.hasPrefix("no node ready (n9: "), notReady.checks[1].detail)
    }
}
