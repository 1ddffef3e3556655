import Foundation
import TockCore
import TockModel
import XCTest

/// The queue config file: defaults, the shipped files, YAML and JSON, and errors that name the key at fault.
final class QueueConfigTests: XCTestCase {
    func testEmptyConfigGivesDefaults() throws {
        XCTAssertEqual(try QueueConfig.parse(yaml: ""), QueueConfig())
        XCTAssertEqual(try QueueConfig.parse(yaml: "{}"), QueueConfig())
    }

    func testTheShippedConfigsSpellOutTheDefaults() throws {
        let nats = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../nats")
        let shipped = try QueueConfig.parse(
            yaml: try String(contentsOf: nats.appendingPathComponent("tock.yaml"), encoding: .utf8))
        XCTAssertEqual(shipped, QueueConfig(), "nats/tock.yaml must show the defaults")
        let cluster = try QueueConfig.parse(
            yaml: try String(contentsOf: nats.appendingPathComponent("tock-cluster.yaml"), encoding: .utf8))
        var expected = QueueConfig()
        expected.replicas = 3
        XCTAssertEqual(cluster, expected)
    }

    func testTheEventsStreamKeepsAWeekByDefaultAndTakesItsLimits() throws {
        XCTAssertEqual(QueueConfig().events, QueueConfig.Stream(maxAgeNs: 7 * 86_400_000_000_000))
        let config = try QueueConfig.parse(yaml: "events_stream: {max_age: 1d, max_messages: 100, max_bytes: 4096}")
        XCTAssertEqual(
            config.events, QueueConfig.Stream(maxAgeNs: 86_400_000_000_000, maxMessages: 100, maxBytes: 4096))
        XCTAssertNil(try QueueConfig.parse(yaml: "events_stream: {max_age: 0}").events.maxAgeNs, "0 keeps them forever")
        XCTAssertThrowsError(try QueueConfig.parse(yaml: "events_stream: {max_ag: 1d}")) { error in
            XCTAssertEqual((error as? FieldError)?.field, "events_stream.max_ag")
        }
    }

    func testEveryPriorityKeyIsRead() throws {
        let config = try QueueConfig.parse(
            yaml: """
                executor: {concurrency: 8, fetch_batch: 4, scheduling: strict, per_host_concurrency: 3,
                           breaker_failures: 2, breaker_cooldown: 1m}
                priorities:
                  low:
                    weight: 3
                    ack_wait: 2m
                    max_deliver: 10
                    max_ack_pending: 50
                    max_age: 1h
                    max_messages: 1000
                    max_bytes: 1048576
                    backoff: [500ms, 10s]
                """)
        XCTAssertEqual(config.executor.concurrency, 8)
        XCTAssertEqual(config.executor.fetchBatch, 4)
        XCTAssertEqual(config.executor.scheduling, .strict)
        XCTAssertEqual(config.executor.perHostConcurrency, 3)
        XCTAssertEqual(config.executor.breakerFailures, 2)
        XCTAssertEqual(config.executor.breakerCoolDownNs, 60_000_000_000)
        let low = config[.low]
        XCTAssertEqual(low.weight, 3)
        XCTAssertEqual(
            low.consumer, QueueConfig.Consumer(ackWaitNs: 120_000_000_000, maxDeliver: 10, maxAckPending: 50))
        XCTAssertEqual(
            low.stream, QueueConfig.Stream(maxAgeNs: 3_600_000_000_000, maxMessages: 1000, maxBytes: 1_048_576))
        XCTAssertEqual(low.backoff(afterAttempt: 1), .milliseconds(500))
        XCTAssertEqual(low.backoff(afterAttempt: 2), .seconds(10))
        XCTAssertEqual(low.backoff(afterAttempt: 9), .seconds(10), "the last step repeats")
        XCTAssertEqual(config[.critical], QueueConfig.defaultPriorities[.critical], "other priorities keep defaults")
    }

    func testJSONIsAcceptedToo() throws {
        let config = try QueueConfig.parse(yaml: #"{"shard_count": 2, "priorities": {"high": {"max_age": "0"}}}"#)
        XCTAssertEqual(config.shardCount, 2)
        XCTAssertNil(config[.high].stream.maxAgeNs, "0 means no limit")
    }

    func testErrorsNameTheKey() {
        let cases = [
            ("shard_count: 0", "shard_count"),
            ("storage: tape", "storage"),
            ("colour: red", "colour"),
            ("priorities: {urgent: {}}", "priorities.urgent"),
            ("priorities: {low: {ack_wait: soon}}", "priorities.low.ack_wait"),
            ("priorities: {low: {max_deliver: 0}}", "priorities.low.max_deliver"),
            ("priorities: {low: {weight: 0}}", "priorities.low.weight"),
            ("priorities: {low: {backoff: []}}", "priorities.low.backoff"),
            ("priorities: {low: {backoff: [1s, never]}}", "priorities.low.backoff[1]"),
            ("priorities: {high: {max_age: 5}}", "priorities.high.max_age"),
            ("executor: {scheduling: random}", "executor.scheduling"),
            ("executor: {concurrency: -1}", "executor.concurrency"),
            ("executor: {breaker_cooldown: 0}", "executor.breaker_cooldown"),
            ("done_stream: {max_age: forever}", "done_stream.max_age"),
        ]
        for (yaml, key) in cases {
            XCTAssertThrowsError(try QueueConfig.parse(yaml: yaml), yaml) { error in
                XCTAssertEqual((error as? FieldError)?.field, key, yaml)
            }
        }
        XCTAssertThrowsError(try QueueConfig.parse(yaml: "priorities: [unclosed")) { error in
            XCTAssertEqual((error as? FieldError)?.code, "invalid_yaml")
        }
        XCTAssertThrowsError(try QueueConfig.parse(yaml: "- a list")) { error in
            XCTAssertNil((error as? FieldError)?.field)
        }
    }
}
