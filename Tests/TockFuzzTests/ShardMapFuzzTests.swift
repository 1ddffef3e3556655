import TockRaft
import XCTest

@testable import TockCore

/// How the router finds a job's shard: job ids, key hashes and the shard map, at any shard count and with any id
/// or config a client or operator writes. Nothing traps, every shard is in range, and the hash keeps its promise:
/// stable, and growing by one shard moves keys only to the new shard.
final class ShardMapFuzzTests: XCTestCase {
    func testJumpHashStaysInRangeAndMovesKeysOnlyToANewBucket() {
        fuzz("jump", examples: 20_000) { random -> (key: UInt64, buckets: Int32) in
            (random.edgy(), random.oneIn(4) ? random.edgyInt32() : Int32(random.within(1...1000)))
        } property: { key, buckets in
            let bucket = ShardHash.jump(key, buckets: buckets)
            guard bucket < UInt32(max(buckets, 1)) else { throw Fuzz.Failure("bucket \(bucket) of \(buckets)") }
            guard ShardHash.jump(key, buckets: buckets) == bucket else { throw Fuzz.Failure("not stable") }
            guard buckets >= 1, buckets < .max else { return }
            let grown = ShardHash.jump(key, buckets: buckets + 1)
            guard grown == bucket || grown == UInt32(buckets) else {
                throw Fuzz.Failure("with one more bucket the key moved from \(bucket) to \(grown)")
            }
        }
    }

    func testKeysHashToAShardInRangeForAnyCount() {
        fuzz("keys", examples: 10_000) { random -> (key: String, shardCount: Int) in
            (random.text(maxLength: 40), random.oneIn(4) ? Int(bitPattern: UInt(random.edgy())) : random.within(1...64))
        } property: { key, shardCount in
            let shard = ShardHash.shard(forKey: key, shardCount: shardCount)
            guard Int(shard) < max(shardCount, 1) else { throw Fuzz.Failure("shard \(shard) of \(shardCount)") }
        }
    }

    func testJobIDsNameTheirShardAndNothingElseDoes() {
        var corpusRandom = SplitMix64(seed: 16)
        let corpus = (0..<20).map { _ in
            let (shard, nowNs) = (corpusRandom.edgyUInt32(), corpusRandom.edgyInt64())
            return JobID.make(shard: shard, nowNs: nowNs, using: &corpusRandom)
        }
        let mutator = FuzzMutator(
            tokens: ["-", "0", "00", "+", " ", "4294967295", "4294967296", "Z", "U", "I", "é"]
                .map { Array($0.utf8) })
        fuzz("ids", examples: 20_000) { random -> (shard: UInt32, nowNs: Int64, mutated: String) in
            (random.edgyUInt32(), random.edgyInt64(), mutator.mutate(anyOf: corpus, using: &random))
        } property: { shard, nowNs, mutated in
            var random = SplitMix64(seed: UInt64(shard))
            let id = JobID.make(shard: shard, nowNs: nowNs, using: &random)
            guard JobID.shard(of: id) == shard else { throw Fuzz.Failure("\(id) does not name shard \(shard)") }
            // An id read as naming a shard is spelled exactly as `make` spells one of that shard's ids.
            if let named = JobID.shard(of: mutated) {
                let spelled = "\(named)-"
                guard mutated.hasPrefix(spelled), mutated.count == spelled.count + 26 else {
                    throw Fuzz.Failure("\(mutated.debugDescription) read as shard \(named)")
                }
            }
        }
    }

    func testTheMapRoutesIDsToItsOwnShardsOnly() {
        fuzz("routing", examples: 5000) { random -> (shardCount: Int, id: String) in
            let shardCount = random.oneIn(4) ? random.pick([1, 2, 3, 255, 256, 1000]) : random.within(1...16)
            var idRandom = SplitMix64(seed: random.next())
            let shard = random.oneIn(2) ? UInt32(random.below(shardCount + 2)) : random.edgyUInt32()
            return (shardCount, JobID.make(shard: shard, nowNs: random.edgyInt64(), using: &idRandom))
        } property: { shardCount, id in
            let node = ShardMap.Node(name: "n1", http: HostPort(host: "127.0.0.1", port: 7070))
            let map = ShardMap(shards: Array(repeating: [node], count: shardCount))
            let named = JobID.shard(of: id)!
            let routed = map.shard(ofJobID: id)
            guard routed == (Int(named) < shardCount ? named : nil) else {
                throw Fuzz.Failure("routed to \(String(describing: routed)) of \(shardCount) shards")
            }
            var random = SplitMix64(seed: UInt64(named))
            guard Int(map.shardForNewJob(using: &random)) < shardCount, map.nodes(of: named).count <= 1 else {
                throw Fuzz.Failure("a new job or a node list out of range")
            }
        }
    }

    /// Config maps as an operator might write them: gaps, repeated names, wrong node counts, bad addresses.
    func testShardMapsParseOrNameTheKeyAtFault() {
        fuzz("maps", examples: 3000) { random -> JSONValue in
            guard !random.oneIn(5) else { return JSONGenerator.value(depth: 4, using: &random) }
            return .array(
                (0..<random.below(5)).map { _ -> JSONValue in
                    guard !random.oneIn(10) else { return random.pick([.null, .object([:]), .array([]), .int(1)]) }
                    var nodes: [String: JSONValue] = [:]
                    for _ in 0..<random.pick([0, 1, 1, 2, 3, 3, 4, 5, 6]) {
                        let name = random.oneIn(6) ? random.text(maxLength: 4) : "n\(random.below(7))"
                        var fields: [String: JSONValue] = [:]
                        if !random.oneIn(8) { fields["http"] = .string(Self.address(&random)) }
                        if random.oneIn(2) { fields["raft"] = .string(Self.address(&random)) }
                        if random.oneIn(10) { fields[random.text(maxLength: 4)] = .int(1) }
                        nodes[name] = random.oneIn(10) ? .string("x") : .object(fields)
                    }
                    return .object(nodes)
                })
        } property: { value in
            guard let map = try? ShardMap.parse(value, path: "shards") else { return }
            guard map.shardCount > 0, map.shards.allSatisfy({ [1, 3, 5].contains($0.count) }) else {
                throw Fuzz.Failure("accepted a map with shards of \(map.shards.map(\.count)) nodes")
            }
        }
    }

    static func address(_ random: inout SplitMix64) -> String {
        random.pick([
            "127.0.0.1:7070", "[::1]:7100", "host:0", "host:65535", "host:65536", ":80", "host:", "host",
            "host:-1", "host:+80", "h:99999999999999999999", random.text(maxLength: 12),
        ])
    }

    func testAddressesParseToWhatTheyPrint() {
        let corpus = ["127.0.0.1:7070", "[::1]:7100", "example.test:443", "a:0"]
        let mutator = FuzzMutator(
            tokens: [":", "[", "]", "-", "+", "65535", "65536", "99999999999999999999", "٣"]
                .map { Array($0.utf8) })
        fuzz("addresses", examples: 10_000) { random in
            mutator.mutate(anyOf: corpus, using: &random)
        } property: { text in
            guard let address = HostPort(parsing: text) else { return }
            guard (0...65535).contains(address.port), HostPort(parsing: address.description) == address else {
                throw Fuzz.Failure("read as \(address)")
            }
        }
    }
}
