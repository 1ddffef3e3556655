import TockCore
import TockFrontDoor
import TockNATS
import TockTestSupport
import XCTest

/// Asking the job API over NATS as a client would, and reading the counters of refused messages.
extension TockHarness {
    struct NATSAnswer {
        var status: Int
        var json: JSONValue
        var code: String? { json["error"]?["code"]?.string }
        var field: String? { json["error"]?["field"]?.string }
    }

    func ask(
        _ subject: String, _ payload: [UInt8], headers: [(name: String, value: String)] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) async throws -> NATSAnswer {
        let connection = try NATSConnection.connect(url: nats.url)
        defer { connection.close() }
        let response = try await connection.request(
            subject: subject, data: payload, headers: headers,
            timeout: .seconds(10))
        return try answer(headerStatus: response.header("Tock-Status"), payload: response.data, file: file, line: line)
    }

    func ask(_ subject: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) async throws
        -> NATSAnswer
    {
        try await ask(subject, Array(text.utf8), file: file, line: line)
    }

    func answer(headerStatus: String?, payload: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws
        -> NATSAnswer
    {
        let status = try XCTUnwrap(
            headerStatus.flatMap { Int($0) }, "a reply without Tock-Status", file: file, line: line)
        let json = try XCTUnwrap(JSONValue(parsing: payload), "a reply that is not JSON", file: file, line: line)
        return NATSAnswer(status: status, json: json)
    }

    /// `tock_shard_messages_rejected_total` of the shard node for one subject and reason.
    func shardRejections(_ subject: String, _ reason: MessageRejection) throws -> Double {
        let node = try XCTUnwrap(node)
        let text = try PrometheusText(parsing: node.metrics.registry.exposition())
        return try XCTUnwrap(
            text.value(
                "tock_shard_messages_rejected_total",
                ["shard": "0", "subject": subject, "reason": reason.rawValue]),
            "no series for \(subject) \(reason)")
    }

    /// `tock_executor_messages_rejected_total` of the executor for one priority and reason.
    func executorRejections(_ priority: String, _ reason: MessageRejection) throws -> Double {
        let executor = try XCTUnwrap(executor)
        let text = try PrometheusText(parsing: executor.prometheusExposition())
        return try XCTUnwrap(
            text.value(
                "tock_executor_messages_rejected_total",
                ["priority": priority, "reason": reason.rawValue]),
            "no series for \(priority) \(reason)")
    }

    /// Submits a job through `tock.submit` and waits for its webhook to succeed: the pipeline still works.
    func deliverAGoodJobOverNATS(file: StaticString = #filePath, line: UInt = #line) async throws {
        let created = try await ask(JobNATSService.submitSubject, #"{"url": "\#(sink.baseURL)/ok"}"#)
        XCTAssertEqual(created.status, 201, "\(created.json)", file: file, line: line)
        let id = try XCTUnwrap(created.json["id"]?.string, file: file, line: line)
        _ = try await waitForState(id, "succeeded", file: file, line: line)
    }
}
