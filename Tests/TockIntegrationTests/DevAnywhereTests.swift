import Foundation
import TockTestSupport
import XCTest

/// `tock dev` as a new user runs it: from an empty directory, with nats-server where Debian puts it (/usr/sbin,
/// not on an ordinary PATH), and no file of the repository around.
final class DevAnywhereTests: XCTestCase {
    var work: URL!
    var dev: Process?

    override func setUp() async throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("tock-anywhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        dev?.stop()
        try? FileManager.default.removeItem(at: work)
    }

    func testTockDevFromAnEmptyDirectoryDeliversAJobToItsSink() async throws {
        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let log = work.appendingPathComponent("dev.log")
        let (nats, monitor, http, sink) = (
            freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort()
        )
        let dev = try TockBinary.launch(
            [
                "dev", "--nats-listen", "127.0.0.1:\(nats)", "--nats-monitor", "127.0.0.1:\(monitor)",
                "--http", "127.0.0.1:\(http)", "--sink", "127.0.0.1:\(sink)", "--executor-metrics", "off",
            ], log: log, in: empty, environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"])
        self.dev = dev
        _ = try await eventually(within: .seconds(30), "tock dev to come up") {
            if !dev.isRunning { return false }
            return (try? String(contentsOf: log, encoding: .utf8))?.contains("tock dev is up") == true ? true : nil
        }
        let output = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        guard dev.isRunning else { return XCTFail("tock dev exited: \(output())") }
        XCTAssertTrue(output().contains("queue config: built-in defaults"), output())
        XCTAssertTrue(DevLifecycleTests.accepts(port: monitor), "the built-in nats-server config's monitoring port")

        let submitted = try TockBinary.run(
            [
                "submit", "--server", "http://127.0.0.1:\(http)", "--url", "http://127.0.0.1:\(sink)/hello", "--body",
                "hi",
            ],
            in: empty)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        _ = try await eventually(within: .seconds(30), "the job to reach the dev sink") {
            output().contains("webhook POST /hello") ? true : nil
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: empty.path), [], "nothing written to cwd")
    }
}
