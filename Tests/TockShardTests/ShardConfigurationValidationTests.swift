import TockCore
import TockShard
import XCTest

/// The rules of a shard's configuration hold for any builder, not only the CLI; each error names the option.
final class ShardConfigurationValidationTests: XCTestCase {
    func refusal(_ change: (inout ShardConfiguration) -> Void) -> String? {
        var configuration = ShardConfiguration(dataDirectory: "/nonexistent")
        change(&configuration)
        do {
            try configuration.validate()
            return nil
        } catch {
            return error.description
        }
    }

    func testTheDefaultsAreValid() {
        XCTAssertNil(refusal { _ in })
    }

    func testEachRuleNamesItsOption() {
        let peers = { (n: Int) in
            Dictionary(uniqueKeysWithValues: (1...n).map { ("n\($0)", HostPort(host: "127.0.0.1", port: 7000 + $0)) })
        }
        let cases: [(String, (inout ShardConfiguration) -> Void)] = [
            ("--node", { $0.cluster.nodeID = "" }),
            ("--node", { $0.cluster.nodeID = "a,b" }),
            (
                "--peers must include this node",
                {
                    $0.cluster.peers = peers(3)
                    $0.cluster.nodeID = "n9"
                }
            ),
            ("--peers must list 1, 3 or 5", { $0.cluster.peers = peers(2) }),
            ("--peers must list 1, 3 or 5", { $0.cluster.peers = peers(7) }),
            (
                "--join needs --peers",
                {
                    $0.cluster.join = true
                    $0.cluster.peers = peers(1)
                }
            ),
            ("--tick-ms", { $0.cluster.tick = .zero }),
            ("--tick-ms", { $0.cluster.tick = .milliseconds(1001) }),
            ("--snapshot-every", { $0.cluster.snapshotEvery = 0 }),
            ("--due-window must", { $0.dueWindow = .milliseconds(9) }),
            ("--due-window-capacity", { $0.dueWindowCapacity = 1023 }),
            ("--queue-sample-interval", { $0.queueSampleInterval = .milliseconds(9) }),
            ("--misfire-threshold", { $0.misfireThreshold = .milliseconds(99) }),
            ("--max-body-bytes", { $0.submitPolicy.maxBodyBytes = 0 }),
            ("--idempotency-retention", { $0.idempotencyRetention = .seconds(-1) }),
        ]
        for (option, change) in cases {
            let message = refusal(change)
            XCTAssertTrue(message?.contains(option) == true, "\(option): \(message ?? "accepted")")
        }
        XCTAssertNil(refusal { $0.cluster.peers = peers(3) })
        XCTAssertNil(
            refusal {
                $0.cluster.peers = peers(2)
                $0.cluster.join = true
            })
    }
}
