import Foundation
import TockCore
import TockTestSupport
import XCTest

/// scheduled-db's API (/jobs, one-off and recurring) through any node of either shard, as its clients call it.
extension MultiShardTests {
    func testAScheduledDBClientWorksUnchangedAgainstAnyNode() async throws {
        let bases = fleet.allBases
        let sink = tock.sink.baseURL
        let when = Int(Date().timeIntervalSince1970) + 2
        // As scheduled-db's README submits: a string timestamp, a payload object, no id.
        let created = try await tock.request(
            .POST, "/jobs",
            body: #"""
                {"type": "unico", "timestamp": "\#(when)", "webhook_url": "\#(sink)/ok", "payload": {"order": 42}}
                """#, base: bases.randomElement()!)
        XCTAssertEqual(created.status, 200, "\(created.json)")
        XCTAssertEqual(created["type"]?.string, "unico")
        XCTAssertEqual(created["timestamp"]?.int, Int64(when))
        let id = try XCTUnwrap(created["id"]?.string)

        // A client that chose its own id reads and cancels by it, on whichever shard its id hashed to.
        let mine = try await tock.request(
            .POST, "/jobs",
            body: #"""
                {"id": "invoice-7", "type": "unico", "timestamp": "\#(when + 3600)", "webhook_url": "\#(sink)/ok"}
                """#, base: bases.randomElement()!)
        XCTAssertEqual(mine.status, 200, "\(mine.json)")
        XCTAssertEqual(mine["id"]?.string, "invoice-7")
        let pending = try await tock.request(.GET, "/jobs/invoice-7/status", base: bases.randomElement()!)
        XCTAssertEqual(pending["status"]?.string, "pending", "\(pending.json)")
        let cancelled = try await tock.request(.POST, "/jobs/invoice-7/cancel", base: bases.randomElement()!)
        XCTAssertEqual(cancelled.status, 200, "\(cancelled.json)")
        XCTAssertEqual(cancelled["status"]?.string, "cancelled")
        XCTAssertEqual(cancelled["job_id"]?.string, "invoice-7")

        let done = try await eventually(within: .seconds(30), "the job to be completed") {
            let status = try? await self.tock.request(.GET, "/jobs/\(id)/status", base: bases.randomElement()!)
            return status?["status"]?.string == "completed" ? status : nil
        }
        XCTAssertEqual(done["job_id"]?.string, id)
        let delivered = try XCTUnwrap(tock.sink.requests(forJob: id).first)
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(delivered.bodyBytes))
        XCTAssertEqual(body["job_id"]?.string, id)
        XCTAssertEqual(body["type"]?.string, "unico")
        XCTAssertEqual(body["data"], .object(["order": .int(42)]))
        XCTAssertNotNil(body["timestamp"]?.int)

        let executions = try await tock.request(.GET, "/jobs/\(id)/executions", base: bases.randomElement()!)
        guard case .array(let attempts)? = executions["attempts"] else { return XCTFail("\(executions.json)") }
        XCTAssertEqual(attempts.first?["http_status"]?.int, 200)
        let completed = try await tock.request(.GET, "/jobs?status=completed", base: bases.randomElement()!)
        guard case .array(let listed)? = completed["jobs"] else { return XCTFail("\(completed.json)") }
        XCTAssertEqual(listed.compactMap { $0["job_id"]?.string }, [id])
        let deleted = try await tock.request(.DELETE, "/jobs/\(id)", base: bases.randomElement()!)
        XCTAssertEqual(deleted.status, 204)
        // A recurring job, as scheduled-db's clients submit one.
        let recurring = try await tock.request(
            .POST, "/jobs",
            body: #"""
                {"id": "nightly", "type": "recurrente", "cron_expression": "0 3 * * *", "webhook_url": "\#(sink)/ok"}
                """#, base: bases.randomElement()!)
        XCTAssertEqual(recurring.status, 200, "\(recurring.json)")
        XCTAssertEqual(recurring["type"]?.string, "recurrente")
        XCTAssertEqual(recurring["cron_expression"]?.string, "0 3 * * *")
        let nightly = try await tock.request(.GET, "/jobs/nightly", base: bases.randomElement()!)
        XCTAssertEqual(nightly["type"]?.string, "recurrente")
        XCTAssertEqual(nightly["timestamp"]?.int.map { $0 % 86_400 }, 3 * 3600, "the next run is at 03:00 UTC")
        let stopped = try await tock.request(.DELETE, "/jobs/nightly", base: bases.randomElement()!)
        XCTAssertEqual(stopped.status, 204)

        let health = try await tock.request(.GET, "/health", base: bases.randomElement()!)
        XCTAssertEqual(health["status"]?.string, "ok")
        let unknown = try await tock.request(.GET, "/jobs/nobody", base: bases.randomElement()!)
        XCTAssertEqual(unknown.status, 404)
    }
}
