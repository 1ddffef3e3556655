import NIOHTTP1
import TockCore
import XCTest

/// The flow API over real HTTP on a real shard: `PUT`, `GET` and `DELETE /v1/flows/{key}`, `GET /v1/flows`, a
/// job's flow setting its key's limits, and a 400 naming the field for each kind of bad flow.
final class FlowAPITests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start(executor: false)
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testFlowsAreSetReadListedAndDeleted() async throws {
        let put = try await tock.request(.PUT, "/v1/flows/partner-a", body: #"{"rate": "50/s", "concurrency": 4}"#)
        XCTAssertEqual(put.status, 200, "\(put.json)")
        let got = try await tock.request(.GET, "/v1/flows/partner-a")
        XCTAssertEqual(got.status, 200, "\(got.json)")
        XCTAssertEqual(got["key"]?.string, "partner-a")
        XCTAssertEqual(got["rate"]?.string, "50/s")
        XCTAssertEqual(got["concurrency"]?.int, 4)
        XCTAssertNotNil(got["updated_at"]?.string)

        // A job naming only the key leaves its limits; one giving limits sets exactly those (a limit left out is
        // none), for the key and every run of it.
        let named = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h", "flow": {"key": "partner-a"}}"#)
        XCTAssertEqual(named.status, 201, "\(named.json)")
        XCTAssertEqual(named["flow"]?["key"]?.string, "partner-a")
        let unchanged = try await tock.request(.GET, "/v1/flows/partner-a")
        XCTAssertEqual(unchanged["rate"]?.string, "50/s")
        XCTAssertEqual(unchanged["concurrency"]?.int, 4)
        let limiting = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h", "flow": {"key": "partner-a", "rate": "5/m"}}"#)
        XCTAssertEqual(limiting.status, 201, "\(limiting.json)")
        let changed = try await tock.request(.GET, "/v1/flows/partner-a")
        XCTAssertEqual(changed["rate"]?.string, "5/m")
        XCTAssertNil(changed["concurrency"]?.int, "\(changed.json)")

        let created = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h", "flow": {"key": "partner-b", "concurrency": 1}}"#)
        XCTAssertEqual(created.status, 201, "\(created.json)")
        let list = try await tock.request(.GET, "/v1/flows")
        XCTAssertEqual(list.status, 200, "\(list.json)")
        guard case .array(let flows)? = list["flows"] else { return XCTFail("no flows: \(list.json)") }
        XCTAssertEqual(flows.compactMap { $0["key"]?.string }, ["partner-a", "partner-b"])
        XCTAssertEqual(flows.map { $0["concurrency"]?.int }, [nil, 1])

        let put3 = try await tock.request(.PUT, "/v1/flows/partner-c", body: #"{"rate": "3/h"}"#)
        XCTAssertEqual(put3.status, 200, "\(put3.json)")
        let deleted = try await tock.request(.DELETE, "/v1/flows/partner-c")
        XCTAssertEqual(deleted.status, 200, "\(deleted.json)")
        XCTAssertEqual(deleted["deleted"], .bool(true))
        let gone = try await tock.request(.GET, "/v1/flows/partner-c")
        XCTAssertEqual(gone.status, 404, "\(gone.json)")
        let again = try await tock.request(.DELETE, "/v1/flows/partner-c")
        XCTAssertEqual(again.status, 404, "\(again.json)")
    }

    func testBadFlowsAre400sNamingTheField() async throws {
        let puts: [(path: String, body: String, field: String)] = [
            ("/v1/flows/partner-a", #"{"rate": "5/x"}"#, "rate"),
            ("/v1/flows/partner-a", #"{"rate": "0/s"}"#, "rate"),
            ("/v1/flows/partner-a", #"{"concurrency": 0}"#, "concurrency"),
            ("/v1/flows/partner-a", #"{"concurrency": "2"}"#, "concurrency"),
            ("/v1/flows/partner-a", #"{"burst": 3}"#, "burst"),
            ("/v1/flows/a%20b", #"{"rate": "5/s"}"#, "key"),
        ]
        for (path, body, field) in puts {
            let reply = try await tock.request(.PUT, path, body: body)
            XCTAssertEqual(reply.status, 400, "\(path) \(body): \(reply.json)")
            XCTAssertNotNil(reply["error"]?["message"]?.string, body)
            XCTAssertEqual(reply["error"]?["field"]?.string, field, "\(path) \(body)")
        }
        let got = try await tock.request(.GET, "/v1/flows/a%20b")
        XCTAssertEqual(got.status, 400, "\(got.json)")
        XCTAssertEqual(got["error"]?["field"]?.string, "key")

        let url = "\"url\": \"\(tock.sink.baseURL)/ok\""
        let submits: [(flow: String, field: String)] = [
            (#"{"key": "a b"}"#, "flow.key"),
            (#"{"rate": "5/s"}"#, "flow.key"),
            (#"{"key": "k", "rate": "5/x"}"#, "flow.rate"),
            (#"{"key": "k", "concurrency": 0}"#, "flow.concurrency"),
            (#"{"key": "k", "weight": 1}"#, "flow.weight"),
            (#""k""#, "flow"),
        ]
        for (flow, field) in submits {
            let reply = try await tock.submit("{\(url), \"flow\": \(flow)}")
            XCTAssertEqual(reply.status, 400, "\(flow): \(reply.json)")
            XCTAssertEqual(reply["error"]?["field"]?.string, field, flow)
        }
        let counts = try await XCTUnwrap(tock.node).jobCounts()
        XCTAssertEqual(counts.values.reduce(0, +), 0, "a rejected submit stored a job: \(counts)")
        let list = try await tock.request(.GET, "/v1/flows")
        XCTAssertEqual(list["flows"], .array([]), "a rejected call stored a flow")
    }
}
