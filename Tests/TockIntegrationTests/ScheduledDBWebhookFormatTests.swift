import Foundation
import TockCore
import TockTestSupport
import XCTest

/// A job submitted with `"webhook_format": "scheduled-db"` reaches its webhook in scheduled-db's body shape, so a
/// receiver written for scheduled-db keeps working after the move.
final class ScheduledDBWebhookFormatTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testTheWebhookReceivesScheduledDBsBodyWithThePayloadAsData() async throws {
        let before = SystemWallClock().nowNs() / 1_000_000_000
        let created = try await tock.submit(
            """
            {"url": "\(tock.sink.baseURL)/ok", "webhook_format": "scheduled-db",
             "body": {"message": "Merry Christmas!", "year": 2024}, "headers": {"Content-Type": "text/plain"}}
            """)
        XCTAssertEqual(created.status, 201, "\(created.json)")
        XCTAssertEqual(created["webhook_format"]?.string, "scheduled-db")
        let id = try XCTUnwrap(created["id"]?.string)

        _ = try await tock.waitForState(id, "succeeded")
        let after = SystemWallClock().nowNs() / 1_000_000_000
        let request = try XCTUnwrap(tock.sink.requests(forJob: id).first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.headers["content-type"], "application/json")

        let body = try JSONDecoder().decode(JSONValue.self, from: Data(request.bodyBytes))
        let sentAt = try XCTUnwrap(body["timestamp"]?.int)
        XCTAssertTrue((before...after).contains(sentAt), "timestamp \(sentAt) not within \(before)...\(after)")
        XCTAssertEqual(
            request.body,
            #"{"data":{"message":"Merry Christmas!","year":2024},"job_id":"\#(id)","timestamp":\#(sentAt),"type":"unico"}"#
        )
    }

    func testAJobWithoutAFormatStillGetsItsOwnBody() async throws {
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "body": {"order": 42}}"#)
        XCTAssertNil(created["webhook_format"], "the default is not shown")
        let id = try XCTUnwrap(created["id"]?.string)
        _ = try await tock.waitForState(id, "succeeded")
        XCTAssertEqual(tock.sink.requests(forJob: id).first?.body, #"{"order":42}"#)
    }

    func testABadWebhookFormatIsA400NamingTheField() async throws {
        let reply = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "webhook_format": "xml"}"#)
        XCTAssertEqual(reply.status, 400)
        XCTAssertEqual(reply["error"]?["field"]?.string, "webhook_format")
    }
}
