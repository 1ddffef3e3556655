import Foundation
import TockCore
import TockTestSupport
import XCTest

/// Recurring jobs end to end on a real shard, executor and webhook sink: numbered runs, the run history, pause and
/// resume, overlap, and bad schedules.
final class RecurringJobTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    private func runNumbers(_ id: String) -> [String] {
        tock.sink.requests(forJob: id).compactMap { $0.headers["tock-run"] }
    }

    func testAnEverySecondJobRunsNumberedRunsUntilPausedAndAgainAfterResume() async throws {
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "schedule": {"cron": "@every 1s"}}"#)
        XCTAssertEqual(created.status, 201, "\(created.json)")
        XCTAssertEqual(created["schedule"]?["cron"]?.string, "@every 1s")
        XCTAssertEqual(created["schedule"]?["time_zone"]?.string, "UTC")
        let id = try XCTUnwrap(created["id"]?.string)

        _ = try await eventually(within: .seconds(15), "three runs at the webhook") {
            self.runNumbers(id).count >= 3 ? true : nil
        }
        XCTAssertEqual(Array(runNumbers(id).prefix(3)), ["1", "2", "3"])

        let runs: TockHarness.Reply = try await eventually(within: .seconds(10), "the first runs recorded as succeeded")
        {
            let reply = try? await self.tock.request(.GET, "/v1/jobs/\(id)/runs")
            guard case .array(let items)? = reply?["runs"],
                items.prefix(2).allSatisfy({ $0["state"]?.string == "succeeded" }), items.count >= 2
            else { return nil }
            return reply
        }
        XCTAssertNotNil(runs["next_run"]?["due_at"]?.string, "a running schedule has a next run")

        let paused = try await tock.request(.POST, "/v1/jobs/\(id)/pause")
        XCTAssertEqual(paused.status, 200, "\(paused.json)")
        XCTAssertEqual(paused["paused"], .bool(true))
        // A run published just before the pause may still arrive; after that, nothing for a few periods.
        let settled = try await eventually(within: .seconds(5), "in-flight runs to land") {
            let count = self.runNumbers(id).count
            try? await Task.sleep(for: .milliseconds(1500))
            return self.runNumbers(id).count == count ? count : nil
        }
        try await Task.sleep(for: .seconds(2))
        XCTAssertEqual(runNumbers(id).count, settled, "no runs while paused")

        let resumed = try await tock.request(.POST, "/v1/jobs/\(id)/resume")
        XCTAssertEqual(resumed.status, 200, "\(resumed.json)")
        _ = try await eventually(within: .seconds(10), "runs again after resume") {
            self.runNumbers(id).count > settled ? true : nil
        }
        let cancelled = try await tock.request(.DELETE, "/v1/jobs/\(id)")
        XCTAssertEqual(cancelled["state"]?.string, "cancelled")
        let again = try await tock.request(.POST, "/v1/jobs/\(id)/resume")
        XCTAssertEqual(again.status, 409)
    }

    func testOverlapSkipSkipsARunWhileThePreviousOneIsStillRunning() async throws {
        let created = try await tock.submit(
            #"""
            {"url": "\#(tock.sink.baseURL)/slow/2500", "timeout": "10s",
             "schedule": {"cron": "@every 1s", "overlap": "skip"}}
            """#)
        XCTAssertEqual(created.status, 201, "\(created.json)")
        let id = try XCTUnwrap(created["id"]?.string)
        let runs: [JSONValue] = try await eventually(within: .seconds(20), "a skipped run and a later succeeded one") {
            let reply = try? await self.tock.request(.GET, "/v1/jobs/\(id)/runs")
            guard case .array(let items)? = reply?["runs"] else { return nil }
            let states = items.compactMap { $0["state"]?.string }
            return states.contains("skipped") && states.filter({ $0 == "succeeded" }).count >= 2 ? items : nil
        }
        let skipped = try XCTUnwrap(runs.first { $0["state"]?.string == "skipped" })
        XCTAssertTrue(skipped["last_error"]?.string?.contains("overlap: skip") == true)
        XCTAssertLessThanOrEqual(tock.sink.mostConcurrentRequests, 1, "never two runs at once")
        _ = try await tock.request(.DELETE, "/v1/jobs/\(id)")
    }

    func testBadSchedulesAre400sNamingTheField() async throws {
        let url = "\(tock.sink.baseURL)/ok"
        let cases: [(String, String)] = [
            (#"{"url": "\#(url)", "schedule": {"cron": "61 * * * *"}}"#, "schedule.cron"),
            (#"{"url": "\#(url)", "schedule": {"cron": "0 0 30 2 *"}}"#, "schedule.cron"),
            (
                #"{"url": "\#(url)", "schedule": {"cron": "@hourly", "time_zone": "Mars/Olympus"}}"#,
                "schedule.time_zone"
            ),
            (
                #"{"url": "\#(url)", "schedule": {"cron": "@hourly", "start": "2030-01-02T00:00:00Z", "end": "2030-01-01T00:00:00Z"}}"#,
                "schedule.end"
            ),
            (#"{"url": "\#(url)", "schedule": {"cron": "@hourly", "overlap": "sometimes"}}"#, "schedule.overlap"),
            (#"{"url": "\#(url)", "delay": "5s", "schedule": {"cron": "@hourly"}}"#, "schedule"),
            (#"{"url": "\#(url)", "schedule": "@hourly"}"#, "schedule"),
        ]
        for (body, field) in cases {
            let reply = try await tock.submit(body)
            XCTAssertEqual(reply.status, 400, body)
            XCTAssertEqual(reply["error"]?["field"]?.string, field, "\(body): \(reply.json)")
        }
        let berlin = try await tock.submit(
            #"""
            {"url": "\#(url)", "schedule": {"cron": "30 2 * * *", "time_zone": "Europe/Berlin"}}
            """#)
        XCTAssertEqual(berlin.status, 201)
        XCTAssertEqual(berlin["schedule"]?["time_zone"]?.string, "Europe/Berlin")
        let oneTime = try await tock.submit(#"{"url": "\#(url)"}"#)
        let id = try XCTUnwrap(oneTime["id"]?.string)
        let pause = try await tock.request(.POST, "/v1/jobs/\(id)/pause")
        XCTAssertEqual(pause.status, 409, "a one-time job cannot be paused")
    }
}
