import TockCore
import XCTest

final class JobIDTests: XCTestCase {
    struct Fixed: RandomNumberGenerator {
        var value: UInt64
        mutating func next() -> UInt64 { value }
    }

    func testIDEncodesItsShard() {
        for shard: UInt32 in [0, 7, 1023] {
            let id = JobID.make(shard: shard, nowNs: 1_795_000_000_000_000_000)
            XCTAssertEqual(JobID.shard(of: id), shard, id)
        }
    }

    func testIDsSortByCreationTime() {
        var random = Fixed(value: .max)
        let earlier = JobID.make(shard: 0, nowNs: 1_000_000_000, using: &random)
        random.value = 0
        let later = JobID.make(shard: 0, nowNs: 1_001_000_000, using: &random)
        XCTAssertLessThan(earlier, later)
    }

    func testRejectsForeignIDs() {
        for id in [
            "", "abc", "0-", "x-01JDZZZZZZZZZZZZZZZZZZZZZZ", "0-01JDZZZZZZZZZZZZZZZZZZZZZ",
            "0-01JDZZZZZZZZZZZZZZZZZZZZZU",
        ] {
            XCTAssertNil(JobID.shard(of: id), id)
        }
    }
}
