import Foundation
import TockCore
import TockTestSupport
import XCTest

/// `tock submit --flow` puts a job in a flow and can set the key's limits; a bad limit is the API's 400.
final class CLISubmitFlowTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start(executor: false)
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testSubmitWithAFlowSetsTheKeysLimits() async throws {
        let server = ["--server", tock.shardURL]
        let submitted = try TockBinary.run(
            [
                "submit", "--url", "\(tock.sink.baseURL)/ok", "--delay", "1h", "--flow", "partner-a",
                "--flow-rate", "20/s", "--flow-concurrency", "2",
            ] + server)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        XCTAssertTrue(submitted.stdout.contains(#""flow":{"key":"partner-a"}"#), submitted.stdout)
        let flow = try await tock.request(.GET, "/v1/flows/partner-a")
        XCTAssertEqual(flow.status, 200, flow.text)
        XCTAssertEqual(flow["rate"]?.string, "20/s")
        XCTAssertEqual(flow["concurrency"]?.int, 2)

        let bad = try TockBinary.run(
            ["submit", "--url", "http://h/x", "--flow", "partner-a", "--flow-rate", "5/x"] + server)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("flow.rate"), bad.stderr)
        let stray = try TockBinary.run(["submit", "--url", "http://h/x", "--flow-rate", "5/s"] + server)
        XCTAssertNotEqual(stray.status, 0)
        XCTAssertTrue(stray.stderr.contains("--flow"), stray.stderr)
    }
}
