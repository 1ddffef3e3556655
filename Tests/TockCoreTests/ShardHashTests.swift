import TockCore
import XCTest

final class ShardHashTests: XCTestCase {
    private let keys = (0..<10_000).map { "order-\($0)" }

    func testTenThousandKeysSplitWithinFivePercentOfEvenOverTwoShards() {
        var counts = [0, 0]
        for key in keys { counts[Int(ShardHash.shard(forKey: key, shardCount: 2))] += 1 }
        for count in counts {
            XCTAssertLessThan(abs(count - 5_000), 250, "split \(counts) is more than 5% from even")
        }
    }

    func testSplitIsEvenForMoreShards() {
        for shards in [3, 5, 8] {
            var counts = Array(repeating: 0, count: shards)
            for key in keys { counts[Int(ShardHash.shard(forKey: key, shardCount: shards))] += 1 }
            let even = keys.count / shards
            for count in counts {
                XCTAssertLessThan(abs(count - even), even / 20, "\(shards) shards: split \(counts)")
            }
        }
    }

    func testAddingAShardMovesAboutOneNthOfTheKeysAndOnlyToTheNewShard() {
        for shards in 1..<8 {
            var moved = 0
            for key in keys {
                let before = ShardHash.shard(forKey: key, shardCount: shards)
                let after = ShardHash.shard(forKey: key, shardCount: shards + 1)
                if before != after {
                    moved += 1
                    XCTAssertEqual(after, UInt32(shards), "\(key) moved between old shards")
                }
            }
            let expected = keys.count / (shards + 1)
            XCTAssertLessThan(
                abs(moved - expected), expected / 10,
                "\(shards)→\(shards + 1) shards moved \(moved) keys; expected about \(expected)")
        }
    }

    func testTheHashIsPinned() {
        // Literal values: a change here would re-home every stored idempotency key, so it must be deliberate.
        XCTAssertEqual(ShardHash.hash("order-1"), 17_145_836_837_575_567_827)
        XCTAssertEqual(ShardHash.shard(forKey: "order-1", shardCount: 16), 7)
        XCTAssertEqual(ShardHash.shard(forKey: "tenant-42/invoice-7", shardCount: 3), 2)
    }

    func testJumpStaysInRange() {
        XCTAssertEqual(ShardHash.jump(1, buckets: 1), 0)
        XCTAssertEqual(ShardHash.jump(0xDEAD_10CC, buckets: 1), 0)
        XCTAssertTrue((0..<1000).allSatisfy { ShardHash.jump(UInt64($0), buckets: 7) < 7 })
    }
}
