import Foundation
import TockTestSupport
import XCTest

/// The flow series of a real `tock shard`'s `/metrics` stay bounded: with `--flow-metrics-keys 5`, thirty flows
/// with runs held back give five labelled flows and `(other)`, whose figures add up to the unlabelled totals, and
/// a flow that leaves the top five loses its series.
extension ObservabilityTests {
    func testFlowSeriesAreTheTopFlowsAndTheRestSummed() async throws {
        let shardURL = "http://127.0.0.1:\(freeLoopbackPort())"
        processes.append(
            try TockBinary.launch(
                [
                    "shard", "--data", directory.appendingPathComponent("data").path, "--http",
                    String(shardURL.dropFirst(7)), "--nats-url", tock.nats.url, "--queue-sample-interval", "100ms",
                    "--flow-metrics-keys", "5",
                ], log: directory.appendingPathComponent("shard.log")))
        let shard = ["shard": "0"]
        _ = try await eventually("the shard to lead") { () -> Bool? in
            try? await Self.metrics(shardURL).value("tock_raft_is_leader", shard) == 1 ? true : nil
        }

        // No executor runs: each flow's first run stays in flight, the others are held back by concurrency 1.
        // k00, k01 and k02 hold back 3 runs each, the other 27 flows 1 each.
        for index in 0..<30 {
            let key = String(format: "k%02d", index)
            for _ in 0..<(index < 3 ? 4 : 2) {
                let reply = try await tock.submit(
                    #"{"url": "\#(tock.sink.baseURL)/ok", "flow": {"key": "\#(key)", "concurrency": 1}}"#,
                    base: shardURL)
                XCTAssertEqual(reply.status, 201, reply.text)
            }
        }
        let settled = try await eventually("every flow's runs held back and in flight") { () -> PrometheusText? in
            guard let metrics = try? await Self.metrics(shardURL),
                metrics.value("tock_shard_flows_held_back", shard) == 36,
                metrics.value("tock_shard_flows_in_flight", shard) == 30,
                metrics.value("tock_shard_flows_active", shard) == 30
            else { return nil }
            return metrics
        }
        XCTAssertEqual(settled.value("tock_shard_flows_released_total", shard), 30)
        let labelled = Self.flowLabels(settled, "tock_shard_flow_held_back")
        XCTAssertEqual(labelled.count, 6, "five flows and (other): \(labelled.sorted())")
        XCTAssertTrue(labelled.isSuperset(of: ["k00", "k01", "k02", "(other)"]), "\(labelled.sorted())")
        XCTAssertEqual(Self.flowLabels(settled, "tock_shard_flow_in_flight"), labelled)
        XCTAssertEqual(settled.value("tock_shard_flow_held_back", shard.merging(["flow": "k01"]) { $1 }), 3)
        XCTAssertEqual(settled.value("tock_shard_flow_held_back", shard.merging(["flow": "(other)"]) { $1 }), 25)
        XCTAssertEqual(settled.value("tock_shard_flow_in_flight", shard.merging(["flow": "(other)"]) { $1 }), 25)
        XCTAssertEqual(settled.sum("tock_shard_flow_held_back"), 36, "the labelled and (other) add up to the total")
        XCTAssertLessThanOrEqual(Self.flowLabels(settled, "tock_shard_flow_released_total").count, 6)

        // Without its limit k00 releases its runs and holds back none: it leaves the top five, and its series go.
        let deleted = try await tock.request(.DELETE, "/v1/flows/k00", base: shardURL)
        XCTAssertEqual(deleted.status, 200, deleted.text)
        let after = try await eventually("k00's series gone") { () -> PrometheusText? in
            guard let metrics = try? await Self.metrics(shardURL),
                metrics.value("tock_shard_flows_held_back", shard) == 33,
                !Self.flowLabels(metrics, "tock_shard_flow_held_back").contains("k00")
            else { return nil }
            return metrics
        }
        XCTAssertEqual(after.value("tock_shard_flows_in_flight", shard), 33)
        XCTAssertEqual(after.value("tock_shard_flows_released_total", shard), 33)
        for name in ["tock_shard_flow_held_back", "tock_shard_flow_in_flight", "tock_shard_flow_released_total"] {
            XCTAssertFalse(Self.flowLabels(after, name).contains("k00"), name)
            XCTAssertEqual(Self.flowLabels(after, name).count, 6, name)
        }
    }

    /// The `flow` labels of a metric's samples.
    static func flowLabels(_ metrics: PrometheusText, _ name: String) -> Set<String> {
        Set(metrics.samples.filter { $0.name == name }.compactMap { $0.labels["flow"] })
    }
}
