/// Job ids are "<shard>-<ULID>": the shard prefix routes reads and cancels without hashing, and the ULID
/// (48-bit millisecond time + 80 random bits, Crockford base32) sorts by creation time.
public enum JobID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    public static func make<R: RandomNumberGenerator>(shard: UInt32, nowNs: Int64, using random: inout R) -> String {
        let ms = UInt64(max(0, nowNs / 1_000_000)) & 0xFFFF_FFFF_FFFF
        var chars: [Character] = []
        chars.reserveCapacity(26)
        // 10 characters of time (50 bits, top 2 zero), then 16 characters of randomness (80 bits).
        for i in (0..<10).reversed() { chars.append(alphabet[Int((ms >> (UInt64(i) * 5)) & 31)]) }
        let high = random.next() as UInt64
        let low = random.next() as UInt64
        for i in (0..<12).reversed() { chars.append(alphabet[Int((high >> (UInt64(i) * 5)) & 31)]) }
        for i in (0..<4).reversed() { chars.append(alphabet[Int((low >> (UInt64(i) * 5)) & 31)]) }
        return "\(shard)-\(String(chars))"
    }

    public static func make(shard: UInt32, nowNs: Int64) -> String {
        var random = SystemRandomNumberGenerator()
        return make(shard: shard, nowNs: nowNs, using: &random)
    }

    /// The shard encoded in `id`, or nil when `id` is not a Tock job id: the shard written as `make` writes it
    /// (decimal digits, no sign, no leading zero), so one job has one id.
    public static func shard(of id: String) -> UInt32? {
        guard let dash = id.firstIndex(of: "-") else { return nil }
        let prefix = id.utf8[..<dash]
        let suffix = id[id.index(after: dash)...]
        guard suffix.count == 26, suffix.allSatisfy({ alphabet.contains($0) }),
            prefix.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            prefix.first != UInt8(ascii: "0") || prefix.count == 1
        else { return nil }
        return UInt32(id[..<dash])
    }
}
