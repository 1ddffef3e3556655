import Foundation
import TockTestSupport
import XCTest

/// Long-running commands stop on SIGTERM whatever state the broker is in.
final class ProcessStopTests: XCTestCase {
    var tock: TockHarness!
    var process: Process?

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
    }

    override func tearDown() async throws {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        await tock?.shutdown()
    }

    /// Before, the shard's NATS job API waited out a 10 s drain per subject, one after the other, for a drain
    /// that cannot complete with the server gone: the process was still running 30 s after SIGTERM.
    func testAShardWhoseBrokerDiedStopsOnSIGTERM() async throws {
        let port = freeLoopbackPort()
        let log = tock.dataDirectory.appendingPathComponent("shard.log")
        let shard = try TockBinary.launch(["shard", "--data", tock.dataDirectory.path, "--http", "127.0.0.1:\(port)",
                                           "--nats-url", tock.nats.url], log: log)
        process = shard
        _ = try await eventually(within: .seconds(30), "the shard to lead and serve its job API on NATS") {
            (try? String(contentsOf: log, encoding: .utf8))?.contains("job API serving on NATS") == true ? true : nil
        }
        tock.nats.stop()
        _ = try await eventually("the shard to notice the broker is gone") {
            (try? String(contentsOf: log, encoding: .utf8))?.contains("NATS connection lost") == true ? true : nil
        }
        let signalled = ContinuousClock.now
        kill(shard.processIdentifier, SIGTERM)
        _ = try await eventually(within: .seconds(10), "the shard to exit within its 10 s drain timeout") {
            shard.isRunning ? nil : true
        }
        XCTAssertEqual(shard.terminationStatus, 0, "a clean stop")
        XCTAssertLessThan(ContinuousClock.now - signalled, .seconds(10))
    }
}
