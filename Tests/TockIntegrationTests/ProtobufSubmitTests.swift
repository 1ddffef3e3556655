import AsyncHTTPClient
import Foundation
import NIOCore
import TockCore
import TockModel
import TockWire
import XCTest

/// `POST /v1/jobs` with `Content-Type: application/protobuf` takes a `tock.v1.JobSpec`, validated like JSON.
final class ProtobufSubmitTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testAProtobufJobSpecIsStoredAndDelivered() async throws {
        let spec = JobSpec(
            id: "ignored", priority: .high,
            target: HTTPTarget(
                url: "\(tock.sink.baseURL)/ok", method: "POST",
                headers: [Header(name: "X-Order", value: "42")], body: Array("hello".utf8)),
            timeoutMs: 0, maxAttempts: 0, idempotencyKey: "proto-1", dueAtNs: 0)
        let (status, json) = try await post(spec.encoded())
        XCTAssertEqual(status, 201, "\(json)")
        let id = try XCTUnwrap(json["id"]?.string)
        XCTAssertNotEqual(id, "ignored")
        XCTAssertEqual(json["priority"]?.string, "high")
        XCTAssertEqual(json["max_attempts"]?.int, 5, "zero means the default")
        _ = try await tock.waitForState(id, "succeeded")
        let request = try XCTUnwrap(tock.sink.requests(forJob: id).first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.bodyBytes, Array("hello".utf8))
        XCTAssertEqual(request.headers["x-order"], "42")
    }

    func testBadProtobufIsA400NamingTheProblem() async throws {
        let (garbled, garbledJSON) = try await post([0xFF, 0xFF, 0xFF])
        XCTAssertEqual(garbled, 400)
        XCTAssertEqual(garbledJSON["error"]?["code"]?.string, "invalid_protobuf")

        let badURL = JobSpec(
            id: "", priority: .normal,
            target: HTTPTarget(url: "ftp://x", method: "POST", headers: [], body: []),
            timeoutMs: 0, maxAttempts: 0, idempotencyKey: "", dueAtNs: 0)
        let (status, json) = try await post(badURL.encoded())
        XCTAssertEqual(status, 400)
        XCTAssertEqual(json["error"]?["field"]?.string, "url")
    }

    private func post(_ bytes: [UInt8]) async throws -> (Int, JSONValue) {
        var request = HTTPClientRequest(url: tock.shardURL + "/v1/jobs")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/protobuf")
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (
            Int(response.status.code), (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
        )
    }
}
