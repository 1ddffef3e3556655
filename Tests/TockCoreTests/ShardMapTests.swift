import TockCore
import XCTest

final class ShardMapTests: XCTestCase {
    func testParsesShardsInOrderWithTheirNodes() throws {
        let config = try QueueConfig.parse(
            yaml: """
                shards:
                  - n1: {http: "127.0.0.1:7071", raft: "127.0.0.1:7101"}
                    n2: {http: "127.0.0.1:7072", raft: "127.0.0.1:7102"}
                    n3: {http: "127.0.0.1:7073", raft: "127.0.0.1:7103"}
                  - n1: {http: "127.0.0.1:7171"}
                """)
        let map = try XCTUnwrap(config.shardMap)
        XCTAssertEqual(config.shardCount, 2)
        XCTAssertEqual(map.nodes(of: 0).map(\.name), ["n1", "n2", "n3"])
        XCTAssertEqual(map.nodes(of: 0)[1].raft, HostPort(host: "127.0.0.1", port: 7102))
        XCTAssertEqual(map.nodes(of: 1), [ShardMap.Node(name: "n1", http: HostPort(host: "127.0.0.1", port: 7171))])
        XCTAssertEqual(map.nodes(of: 2), [])
    }

    func testBadMapsNameTheKeyAtFault() {
        let cases: [(String, String)] = [
            ("shards: []", "shards"),
            ("shards:\n  - n1: {http: nowhere}", "shards[0].n1.http"),
            ("shards:\n  - n1: {raft: \"127.0.0.1:1\"}", "shards[0].n1.http"),
            ("shards:\n  - n1: {http: \"127.0.0.1:1\", grpc: 2}", "shards[0].n1.grpc"),
            ("shards:\n  - n1: {http: \"127.0.0.1:1\"}\n    n2: {http: \"127.0.0.1:2\"}", "shards[0]"),
            ("shard_count: 3\nshards:\n  - n1: {http: \"127.0.0.1:1\"}", "shard_count"),
        ]
        for (yaml, field) in cases {
            XCTAssertThrowsError(try QueueConfig.parse(yaml: yaml), yaml) { error in
                XCTAssertEqual((error as? FieldError)?.field, field, "\(yaml): \(error)")
            }
        }
    }

    func testJobsWithoutAKeySpreadEvenly() {
        let map = ShardMap(shards: [
            [.init(name: "a", http: .init(host: "h", port: 1))],
            [.init(name: "b", http: .init(host: "h", port: 2))],
        ])
        var random = SystemRandomNumberGenerator()
        var counts = [0, 0]
        for _ in 0..<10_000 { counts[Int(map.shardForNewJob(using: &random))] += 1 }
        XCTAssertLessThan(abs(counts[0] - 5_000), 250, "\(counts)")
    }
}
