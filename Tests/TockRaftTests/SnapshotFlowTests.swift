import XCTest

@testable import TockRaft

/// The core's side of snapshots deals in metadata only: compaction records index, term and membership, the leader
/// sends exactly that, and the follower's Ready asks its driver to install the data it holds for that index —
/// bytes never pass through the core, whatever the state machine's size.
final class SnapshotFlowTests: XCTestCase {
    let three: [NodeID] = ["n1", "n2", "n3"]

    func testCompactionRecordsMetadataAndRefusesWhatItCannotCover() {
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        for i in 0..<5 { _ = cluster.propose("c\(i)", at: leader) }
        var node = cluster[leader]
        let applied = node.appliedIndex
        XCTAssertNil(node.compact(through: applied + 1), "past what the state machine applied")
        let snapshot = node.compact(through: applied)
        XCTAssertEqual(snapshot, Snapshot(index: applied, term: node.term, membership: Membership(voters: Set(three))))
        XCTAssertEqual(node.snapshot, snapshot)
        XCTAssertEqual(node.firstIndex, applied + 1)
        XCTAssertNil(node.compact(through: applied), "not past the current snapshot")
        XCTAssertNil(node.compact(through: applied - 1))
    }

    func testALaggingFollowerIsSentMetadataAndItsReadyAsksToInstallIt() {
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        let lagging = three.first { $0 != leader }!
        cluster.isolated = [lagging]
        for i in 0..<10 { _ = cluster.propose("c\(i)", at: leader) }
        let applied = cluster[leader].appliedIndex
        let taken = cluster.nodes[leader]!.compact(through: applied)!
        cluster.isolated = []

        // Drive the network by hand, holding back the snapshot message to look at it.
        var snapshotMessage: Message?
        for _ in 0..<10 where snapshotMessage == nil {
            cluster.nodes[leader]!.tick()
            for _ in 0..<20 {
                cluster.processAll()
                let batch = cluster.inFlight
                cluster.inFlight = []
                for message in batch {
                    if message.kind == .snapshot {
                        snapshotMessage = message
                    } else {
                        cluster.nodes[message.to]?.step(message)
                    }
                }
                if batch.isEmpty { break }
            }
        }
        guard let message = snapshotMessage else { return XCTFail("no snapshot sent") }
        XCTAssertEqual(message.snapshot, taken)

        cluster.nodes[lagging]!.step(message)
        let ready = cluster.nodes[lagging]!.ready()
        XCTAssertEqual(ready.snapshot, taken)
        XCTAssertTrue(ready.committedEntries.isEmpty, "nothing to apply past the snapshot yet")
        XCTAssertEqual(ready.messages.first { $0.kind == .appendResponse }?.index, applied)
        cluster.nodes[lagging]!.advance(ready)
        XCTAssertEqual(cluster[lagging].appliedIndex, applied)
        XCTAssertEqual(cluster[lagging].firstIndex, applied + 1)
        XCTAssertEqual(cluster[lagging].membership, taken.membership)
        XCTAssertFalse(cluster[lagging].hasReady)

        // A restart from that disk needs only the metadata, too.
        let restarted = RaftNode(
            configuration: RaftConfiguration(id: lagging, randomSeed: 5), bootstrap: Membership(voters: []),
            restoring: PersistentState(hardState: cluster[lagging].hardState, snapshot: taken, applied: applied))
        XCTAssertEqual(restarted.appliedIndex, applied)
        XCTAssertEqual(restarted.membership, taken.membership)
    }

    func testAnAppendToALaggingFollowerIsBoundedInBytes() {
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        let lagging = three.first { $0 != leader }!
        cluster.isolated = [lagging]
        let big = String(repeating: "x", count: 300 << 10)
        for _ in 0..<8 { _ = cluster.propose(big, at: leader) }
        cluster.isolated = []
        var largest = 0
        for _ in 0..<20 {
            for id in three { cluster.nodes[id]!.tick() }
            for _ in 0..<50 {
                cluster.processAll()
                let batch = cluster.inFlight
                cluster.inFlight = []
                for message in batch {
                    if message.kind == .append, message.to == lagging {
                        largest = max(largest, message.entries.reduce(0) { $0 + $1.data.count })
                    }
                    cluster.nodes[message.to]?.step(message)
                }
                if batch.isEmpty { break }
            }
        }
        XCTAssertEqual(cluster[lagging].commitIndex, cluster[leader].commitIndex, "caught up")
        XCTAssertGreaterThan(largest, 0)
        XCTAssertLessThanOrEqual(largest, 1 << 20, "an append carried more than maxAppendBytes")
    }
}
