import Foundation
import TockCore
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

/// Job calls over NATS request-reply (tock.submit, tock.get, tock.cancel, tock.submit.batch), JSON and protobuf,
/// answered by whichever node of either shard takes them.
extension MultiShardTests {
    func testJobsSubmittedOverNATSReachWhicheverNodeAndAllSucceed() async throws {
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        _ = try await eventually(within: .seconds(20), "the nodes serving tock.submit") {
            // A bad request is answered by whichever member of the queue group takes it, without a shard.
            let reply = try? await connection.request(
                subject: "tock.submit", data: Array("{".utf8), timeout: .seconds(2))
            return reply?.header("tock-status") == "400" ? true : nil
        }
        let sink = tock.sink.baseURL
        var ids: [String] = []
        for i in 0..<200 {
            let key = i % 2 == 0 ? #", "idempotency_key": "nats-\#(i)""# : ""
            let reply = try await connection.request(
                subject: "tock.submit", data: Array(#"{"url": "\#(sink)/ok"\#(key)}"#.utf8),
                timeout: .seconds(10))
            XCTAssertEqual(reply.header("tock-status"), "201", String(decoding: reply.data, as: UTF8.self))
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(reply.data))
            ids.append(try XCTUnwrap(json["id"]?.string))
        }
        let onShard0 = ids.filter { JobID.shard(of: $0) == 0 }.count
        XCTAssertTrue((60...140).contains(onShard0), "\(onShard0) of 200 jobs on shard 0")

        // Protobuf, with the content type in a header.
        let spec = JobSpec(
            id: "", priority: .critical,
            target: HTTPTarget(url: "\(sink)/ok", method: "POST", headers: [], body: Array("pb".utf8)),
            timeoutMs: 0, maxAttempts: 0, idempotencyKey: "nats-proto", dueAtNs: 0)
        let proto = try await connection.request(
            subject: "tock.submit", data: spec.encoded(),
            headers: [("Content-Type", "application/protobuf")], timeout: .seconds(10))
        XCTAssertEqual(proto.header("tock-status"), "201", String(decoding: proto.data, as: UTF8.self))
        let protoJob = try JSONDecoder().decode(JSONValue.self, from: Data(proto.data))
        XCTAssertEqual(protoJob["priority"]?.string, "critical")
        ids.append(try XCTUnwrap(protoJob["id"]?.string))

        _ = try await eventually(within: .seconds(60), "every NATS-submitted job at the webhook") {
            ids.allSatisfy { !self.tock.sink.requests(forJob: $0).isEmpty } ? true : nil
        }
        let got = try await eventually(within: .seconds(15), "tock.get to report the job succeeded") {
            let reply = try? await connection.request(
                subject: "tock.get", data: Array(ids[1].utf8), timeout: .seconds(5))
            let json = reply.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.data)) }
            return json?["state"]?.string == "succeeded" ? reply : nil
        }
        XCTAssertEqual(got.header("tock-status"), "200")
        let cancel = try await connection.request(
            subject: "tock.cancel", data: Array(#"{"id": "\#(ids[1])"}"#.utf8),
            timeout: .seconds(5))
        XCTAssertEqual(cancel.header("tock-status"), "409", "a finished job cannot be cancelled")
        let missing = try await connection.request(subject: "tock.get", data: [], timeout: .seconds(5))
        XCTAssertEqual(missing.header("tock-status"), "400")
        let missingJSON = try JSONDecoder().decode(JSONValue.self, from: Data(missing.data))
        XCTAssertEqual(missingJSON["error"]?["field"]?.string, "id")

        let batch = try await connection.request(
            subject: "tock.submit.batch", data: Array(#"{"jobs": [{"url": "\#(sink)/ok"}, {"url": 5}]}"#.utf8),
            timeout: .seconds(10))
        XCTAssertEqual(batch.header("tock-status"), "200")
        let results = try JSONDecoder().decode(JSONValue.self, from: Data(batch.data))["results"]
        guard case .array(let items)? = results else { return XCTFail("no results") }
        XCTAssertEqual(items.map { $0["status"]?.int }, [201, 400])
    }
}
