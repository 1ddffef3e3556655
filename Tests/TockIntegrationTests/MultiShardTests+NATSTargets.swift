import Foundation
import TockCore
import TockModel
import TockNATS
import TockTestSupport
import XCTest

/// A job whose target is a NATS subject, on a shard whose leader is killed (SIGKILL) before the job is due: the
/// new leader publishes its run, and the message reaches the stream that captures its subject once, at its time.
extension MultiShardTests {
    func testANATSTargetsMessageArrivesOnceAtItsTimeThroughALeaderKill() async throws {
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        _ = try js.ensureStream(StreamConfig(name: "ORDERS", subjects: ["orders.>"], storage: .memory))
        // A key that lives on shard 1, so the job is there whichever node takes the call.
        let key = (0...).lazy.map { "expire-\($0)" }.first { ShardHash.shard(forKey: $0, shardCount: 2) == 1 }!
        let leader = try await fleet.awaitLeader(shard: 1)

        let created = try await tock.submit(
            #"{"nats": {"subject": "orders.expire", "body": "42"}, "delay": "6s", "idempotency_key": "\#(key)"}"#,
            base: fleet.base(shard: 0, node: "n1"))
        XCTAssertEqual(created.status, 201, "\(created.json)")
        let id = try XCTUnwrap(created["id"]?.string)
        XCTAssertEqual(JobID.shard(of: id), 1)
        let dueAt = try XCTUnwrap(created["run_at"]?.string.flatMap(RFC3339.parseNs))

        fleet.kill(shard: 1, node: leader)
        let survivors = fleet.names.filter { $0 != leader }
        _ = try await fleet.awaitLeader(shard: 1, among: survivors, within: .seconds(15)) { $0 != leader }
        XCTAssertLessThan(SystemWallClock().nowNs(), dueAt, "the new leader came after the job was due")
        XCTAssertEqual(try js.streamInfo("ORDERS").messages, 0, "published before its time")

        let job = try await tock.waitForState(
            id, "succeeded", within: .seconds(30), base: fleet.base(shard: 1, node: survivors[0]))
        let finishedAt = try XCTUnwrap(job["finished_at"]?.string.flatMap(RFC3339.parseNs))
        XCTAssertGreaterThanOrEqual(finishedAt, dueAt)
        let stream = try js.streamInfo("ORDERS")
        XCTAssertEqual(stream.messages, 1, "stored \(stream.messages) times")
        let stored = try await js.storedMessage(stream: "ORDERS", sequence: stream.lastSequence)
        XCTAssertEqual(stored?.messageID, "\(id)/1")
        XCTAssertEqual(stored?.payload, Array("42".utf8))
    }
}
