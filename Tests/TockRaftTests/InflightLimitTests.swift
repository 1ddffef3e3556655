import XCTest

@testable import TockRaft

/// A leader sends a follower that does not answer at most `maxInflightAppends` appends, however much is proposed,
/// so nothing piles up for a node that is down; once it answers, replication carries on from where it is.
final class InflightLimitTests: XCTestCase {
    func testASilentFollowerIsSentAtMostTheInflightLimit() {
        let three: [NodeID] = ["n1", "n2", "n3"]
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        let silent = three.first { $0 != leader }!
        let limit = RaftConfiguration(id: leader, randomSeed: 1).maxInflightAppends

        // The silent node's messages are lost, but the leader's to it are counted.
        var appendsToSilent = 0
        for i in 0..<(3 * limit) {
            _ = cluster.nodes[leader]!.propose(Array("c\(i)".utf8))
            for _ in 0..<10 {
                cluster.processAll()
                let batch = cluster.inFlight
                cluster.inFlight = []
                for message in batch {
                    if message.to == silent {
                        if message.kind == .append, !message.entries.isEmpty { appendsToSilent += 1 }
                    } else if message.from != silent {
                        cluster.nodes[message.to]?.step(message)
                    }
                }
                if batch.isEmpty { break }
            }
        }
        XCTAssertEqual(appendsToSilent, limit, "appends with entries sent to a follower that never answered")
        XCTAssertEqual(cluster[leader].commitIndex, cluster[leader].lastIndex, "the other follower keeps commits going")

        // It answers again: it catches up through the ordinary protocol.
        cluster.tick(times: 5)
        XCTAssertEqual(cluster[silent].commitIndex, cluster[leader].commitIndex)
        XCTAssertEqual(cluster.commands(appliedBy: silent).count, 3 * limit)
    }
}
