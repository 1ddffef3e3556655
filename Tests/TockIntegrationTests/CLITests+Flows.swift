import Foundation
import TockCore
import TockTestSupport
import XCTest

/// `tock flows` and the flows of `tock status`, run as the `tock` binary against a shard with no executor.
extension CLITests {
    func testFlowsAreSetReadListedAndDeletedFromTheCLI() async throws {
        let server = ["--server", tock.shardURL]
        let set = try TockBinary.run(["flows", "set", "partner-a", "--rate", "50/s", "--concurrency", "4"] + server)
        XCTAssertEqual(set.status, 0, set.stderr)
        let flow = try JSONDecoder().decode(JSONValue.self, from: Data(set.stdout.utf8))
        XCTAssertEqual(flow["rate"]?.string, "50/s")
        XCTAssertEqual(flow["concurrency"], .int(4))
        let got = try TockBinary.run(["flows", "get", "partner-a"] + server)
        XCTAssertEqual(got.status, 0, got.stderr)
        XCTAssertTrue(got.stdout.contains(#""key":"partner-a""#), got.stdout)

        // A key without limits is listed while it has a run in flight (no executor takes it).
        let plain = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "flow": {"key": "plain"}}"#)
        XCTAssertEqual(plain.status, 201, plain.text)
        let listed = try await eventually("plain's run in flight in `tock flows`") { () -> String? in
            let list = try TockBinary.run(["flows"] + server)
            XCTAssertEqual(list.status, 0, list.stderr)
            return list.stdout.contains("plain") ? list.stdout : nil
        }
        let lines = listed.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first?.split(separator: " ", omittingEmptySubsequences: true).first, "key", listed)
        XCTAssertTrue(lines.contains { $0.hasPrefix("partner-a") && $0.contains("50/s") }, listed)
        let plainRow = try XCTUnwrap(lines.first { $0.hasPrefix("plain") }, listed)
        XCTAssertEqual(plainRow.split(separator: " ").last, "1", "plain's run in flight: \(plainRow)")
        let json = try TockBinary.run(["flows", "--json"] + server)
        XCTAssertEqual(json.status, 0, json.stderr)
        let keys = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8))["flows"]?.array?
            .compactMap { $0["key"]?.string }
        XCTAssertEqual(keys, ["partner-a", "plain"])

        // The API's errors name the field.
        let zero = try TockBinary.run(["flows", "set", "partner-a", "--concurrency", "0"] + server)
        XCTAssertEqual(zero.status, 1)
        XCTAssertTrue(zero.stderr.contains("400 concurrency: concurrency must be an integer"), zero.stderr)
        let badKey = try TockBinary.run(["flows", "set", "a/b?c", "--rate", "1/s"] + server)
        XCTAssertEqual(badKey.status, 1)
        XCTAssertTrue(badKey.stderr.contains("400 key: key must be"), badKey.stderr)
        let badRate = try TockBinary.run(["flows", "set", "partner-a", "--rate", "fast"] + server)
        XCTAssertEqual(badRate.status, 1)
        XCTAssertTrue(badRate.stderr.contains("rate: rate must be N/s"), badRate.stderr)

        let deleted = try TockBinary.run(["flows", "delete", "partner-a"] + server)
        XCTAssertEqual(deleted.status, 0, deleted.stderr)
        XCTAssertTrue(deleted.stdout.contains(#""deleted":true"#), deleted.stdout)
        let gone = try TockBinary.run(["flows", "get", "partner-a"] + server)
        XCTAssertEqual(gone.status, 1)
        XCTAssertTrue(gone.stderr.contains("404 key: no flow partner-a"), gone.stderr)
    }

    func testStatusShowsTheFlowsMostHeldBackFirst() async throws {
        // Concurrency 1 and no executor: one run in flight per flow, the rest held back. The API lists them in key
        // order, quiet first.
        for (key, runs) in [("a-quiet", 2), ("z-busy", 4)] {
            for _ in 0..<runs {
                let reply = try await tock.submit(
                    #"{"url": "\#(tock.sink.baseURL)/ok", "flow": {"key": "\#(key)", "concurrency": 1}}"#)
                XCTAssertEqual(reply.status, 201, reply.text)
            }
        }
        let arguments = ["status", "--server", tock.shardURL, "--nats-url", tock.nats.url]
        let text = try await eventually("both flows held back in `tock status`") { () -> String? in
            let status = try TockBinary.run(arguments)
            XCTAssertEqual(status.status, 0, status.stderr)
            let rows = status.stdout.split(separator: "\n").filter { $0.hasPrefix("z-busy") || $0.hasPrefix("a-quiet") }
            let figures = rows.map { $0.split(separator: " ").suffix(2).joined(separator: " ") }
            return figures == ["3 1", "1 1"] ? status.stdout : nil
        }
        let lines = text.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("flows") }, text)
        XCTAssertTrue(lines[header + 1].contains("held back"), text)
        XCTAssertTrue(lines[header + 2].hasPrefix("z-busy"), "the most held back first: \(text)")
        XCTAssertTrue(lines[header + 3].hasPrefix("a-quiet"), text)

        let json = try TockBinary.run(arguments + ["--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let flows = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8))["flows"]?["flows"]?.array
        let busy = try XCTUnwrap(flows?.first { $0["key"]?.string == "z-busy" }, json.stdout)
        XCTAssertEqual(busy["held_back"], .int(3))
        XCTAssertEqual(busy["in_flight"], .int(1))
        XCTAssertEqual(busy["concurrency"], .int(1))
    }
}
