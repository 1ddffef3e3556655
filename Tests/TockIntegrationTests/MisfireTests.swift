import Foundation
import TockCore
import TockTestSupport
import XCTest

/// Misfire policies on a real `tock shard` process that is down while a recurring job's runs fall due: after the
/// restart, `run_once` delivers one catch-up run for the whole outage and `skip` delivers none, and both go on from
/// the restart. The shard runs with `--misfire-threshold 2s` so an outage of seconds counts as a miss.
final class MisfireTests: XCTestCase {
    var tock: TockHarness!
    var shardProcess: Process?
    let port = freeLoopbackPort()
    var base: String { "http://127.0.0.1:\(port)" }

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false)
    }

    override func tearDown() async throws {
        if let shardProcess, shardProcess.isRunning {
            kill(shardProcess.processIdentifier, SIGKILL)
            shardProcess.waitUntilExit()
        }
        await tock?.shutdown()
    }

    func testRunOnceCatchesUpOnceAndSkipNotAtAllForTheTimeTheShardWasDown() async throws {
        try await startShard()
        // One start for both, so their runs fall due at the same instants, every 3 s.
        let start = RFC3339.format(ns: nowNs() + 1_000_000_000)
        var ids: [String: String] = [:]
        for policy in ["run_once", "skip"] {
            let created = try await tock.submit(
                #"""
                {"url": "\#(tock.sink.baseURL)/ok",
                 "schedule": {"cron": "@every 3s", "start": "\#(start)", "misfire": "\#(policy)"}}
                """#, base: base)
            XCTAssertEqual(created.status, 201, "\(created.json)")
            ids[policy] = try XCTUnwrap(created["id"]?.string)
        }
        let runOnce = try XCTUnwrap(ids["run_once"])
        let skip = try XCTUnwrap(ids["skip"])

        // Stop the shard just after both delivered the same run: the next one is ~3 s away, due while it is down.
        _ = try await eventually(within: .seconds(15), "both jobs to deliver their first run") {
            self.delivered(runOnce).contains(1) && self.delivered(skip).contains(1) ? true : nil
        }
        let stoppedAtNs = nowNs()
        let stopped = try XCTUnwrap(shardProcess)
        kill(stopped.processIdentifier, SIGKILL)
        stopped.waitUntilExit()
        // The outage itself, not a wait for anything: long enough for two occurrences of each to fall due.
        try await Task.sleep(for: .seconds(7))
        let restartedAtNs = nowNs()
        try await startShard()

        // Both schedules resume from the restart: a run due after it succeeds.
        for id in [runOnce, skip] {
            _ = try await eventually(within: .seconds(20), "\(id) to run again after the restart") {
                let runs = try? await self.runs(id)
                return runs?.contains { $0.dueNs > restartedAtNs && $0.state == "succeeded" } == true ? true : nil
            }
        }

        let missedRunOnce = try await runs(runOnce).filter { $0.dueNs > stoppedAtNs && $0.dueNs < restartedAtNs }
        XCTAssertEqual(missedRunOnce.count, 1, "run_once: the missed occurrences collapse into one run")
        XCTAssertEqual(missedRunOnce.first?.state, "succeeded")
        if let catchUp = missedRunOnce.first {
            XCTAssertEqual(delivered(runOnce).filter { $0 == catchUp.run }.count, 1, "the catch-up run delivered once")
        }

        let missedSkip = try await runs(skip).filter { $0.dueNs > stoppedAtNs && $0.dueNs < restartedAtNs }
        XCTAssertEqual(missedSkip.count, 1, "skip: the missed occurrences are recorded as one skipped run")
        XCTAssertEqual(missedSkip.first?.state, "skipped")
        XCTAssertTrue(missedSkip.first?.lastError?.contains("misfire: skip") == true, "\(missedSkip)")
        if let skipped = missedSkip.first {
            XCTAssertFalse(delivered(skip).contains(skipped.run), "a skipped run was delivered")
        }
        let skipRunsBefore = try await runs(skip).filter { $0.dueNs <= stoppedAtNs }.map(\.run)
        let deliveredLate = delivered(skip).filter { run in !skipRunsBefore.contains(run) }
        let resumed = try await runs(skip).filter { $0.dueNs > restartedAtNs }.map(\.run)
        XCTAssertTrue(
            deliveredLate.allSatisfy { resumed.contains($0) },
            "skip delivered a run due while the shard was down: \(deliveredLate)")
        _ = try await tock.request(.DELETE, "/v1/jobs/\(runOnce)", base: base)
        _ = try await tock.request(.DELETE, "/v1/jobs/\(skip)", base: base)
    }

    struct Run {
        var run: UInt32
        var dueNs: Int64
        var state: String
        var lastError: String?
    }

    func runs(_ id: String) async throws -> [Run] {
        let reply = try await tock.request(.GET, "/v1/jobs/\(id)/runs", base: base)
        guard case .array(let items)? = reply["runs"] else { return [] }
        return items.compactMap { item in
            guard let run = item["run"]?.int, let due = item["due_at"]?.string.flatMap(RFC3339.parseNs),
                let state = item["state"]?.string
            else { return nil }
            return Run(run: UInt32(run), dueNs: due, state: state, lastError: item["last_error"]?.string)
        }
    }

    /// Run numbers the webhook received for job `id`, one per delivery.
    func delivered(_ id: String) -> [UInt32] {
        tock.sink.requests(forJob: id).compactMap { $0.headers["tock-run"].flatMap { UInt32($0) } }
    }

    func nowNs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000_000) }

    private func startShard() async throws {
        shardProcess = try TockBinary.launch(
            [
                "shard", "--data", tock.dataDirectory.path, "--http", "127.0.0.1:\(port)", "--nats-url", tock.nats.url,
                "--misfire-threshold", "2s", "--log-level", "warning",
            ],
            log: tock.dataDirectory.appendingPathComponent("shard.log"))
        _ = try await eventually(within: .seconds(20), "the shard process to serve /healthz") {
            (try? await self.tock.request(.GET, "/healthz", base: self.base))?.status == 200 ? true : nil
        }
    }
}
