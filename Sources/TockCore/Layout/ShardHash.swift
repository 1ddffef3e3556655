/// Which shard owns a key: Lamping and Veach's jump consistent hash ("A Fast, Minimal Memory, Consistent Hash
/// Algorithm", 2014) over a stable 64-bit hash of the key's bytes. Growing from N to N+1 shards moves only the
/// keys that land on the new shard, about 1/(N+1) of them. The string hash is fixed (FNV-1a with a SplitMix64
/// finaliser), never Swift's `Hasher`, whose seed differs per process: every node must agree.
public enum ShardHash {
    /// A shard in 0..<`shardCount`; a count below 1 counts as 1 (a map always has a shard).
    public static func shard(forKey key: String, shardCount: Int) -> UInt32 {
        jump(hash(key), buckets: Int32(clamping: shardCount))
    }

    /// A bucket in 0..<`buckets`; 0 when `buckets` is below 1, which no map has, rather than a trap.
    public static func jump(_ key: UInt64, buckets: Int32) -> UInt32 {
        var key = key
        var bucket: Int64 = -1
        var next: Int64 = 0
        while next < Int64(buckets) {
            bucket = next
            key = key &* 2_862_933_555_777_941_757 &+ 1
            next = Int64(Double(bucket + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
        }
        return UInt32(max(bucket, 0))
    }

    /// FNV-1a alone leaves short, similar keys ("job-1", "job-2") close together; the finaliser spreads them.
    public static func hash(_ key: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        h = (h ^ (h >> 30)) &* 0xbf58_476d_1ce4_e5b9
        h = (h ^ (h >> 27)) &* 0x94d0_49bb_1331_11eb
        return h ^ (h >> 31)
    }
}
