import TockRaft

/// Damages valid inputs the way fuzzers do: bit flips, interesting bytes, insertions, deletions, repeated and
/// swapped runs, truncation, pieces of another input, and tokens of the format being fuzzed. Inputs that are
/// almost right reach deeper into a parser than random bytes, which most parsers reject at the first byte.
struct FuzzMutator {
    /// Pieces of the format (JSON punctuation, varints, field keys), spliced in whole.
    var tokens: [[UInt8]] = []

    private static let interestingBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0xC0, 0xED, 0xF4, 0x22, 0x5C]

    /// 1 to `maxRounds` mutations of `input`; `donors` are other inputs to splice pieces from.
    func mutate(_ input: [UInt8], donors: [[UInt8]] = [], maxRounds: Int = 4, using random: inout SplitMix64)
        -> [UInt8]
    {
        var bytes = input
        for _ in 0..<random.within(1...maxRounds) {
            mutateOnce(&bytes, donors: donors, using: &random)
        }
        return bytes
    }

    /// One of `corpus`, mutated with pieces of the others.
    func mutate(anyOf corpus: [[UInt8]], maxRounds: Int = 4, using random: inout SplitMix64) -> [UInt8] {
        mutate(random.pick(corpus), donors: corpus, maxRounds: maxRounds, using: &random)
    }

    /// One of `corpus`, mutated as bytes and read back as text (bytes that are not UTF-8 become U+FFFD).
    func mutate(anyOf corpus: [String], using random: inout SplitMix64) -> String {
        String(decoding: mutate(anyOf: corpus.map { Array($0.utf8) }, using: &random), as: UTF8.self)
    }

    private func mutateOnce(_ bytes: inout [UInt8], donors: [[UInt8]], using random: inout SplitMix64) {
        let position = random.below(bytes.count + 1)
        switch random.below(10) {
        case 0 where !bytes.isEmpty:  // flip a bit
            let at = random.below(bytes.count)
            bytes[at] ^= 1 << UInt8(random.below(8))
        case 1 where !bytes.isEmpty:  // an interesting or random byte in place of one
            bytes[random.below(bytes.count)] =
                random.oneIn(2)
                ? random.pick(Self.interestingBytes)
                : UInt8(truncatingIfNeeded: random.next())
        case 2:  // insert random bytes
            bytes.insert(contentsOf: random.bytes(random.within(1...8)), at: position)
        case 3 where !bytes.isEmpty:  // delete a run
            let end = min(bytes.count, position + random.within(1...16))
            bytes.removeSubrange(min(position, bytes.count - 1)..<end)
        case 4 where !bytes.isEmpty:  // repeat a run
            let start = random.below(bytes.count)
            let run = bytes[start..<min(bytes.count, start + random.within(1...32))]
            bytes.insert(contentsOf: Array(repeating: Array(run), count: random.within(1...4)).joined(), at: position)
        case 5 where bytes.count > 1:  // swap two bytes
            bytes.swapAt(random.below(bytes.count), random.below(bytes.count))
        case 6 where !bytes.isEmpty:  // truncate
            bytes.removeSubrange(random.below(bytes.count)...)
        case 7 where !donors.isEmpty:  // a piece of another input
            let donor = random.pick(donors)
            guard !donor.isEmpty else { return }
            let start = random.below(donor.count)
            bytes.insert(contentsOf: donor[start..<min(donor.count, start + random.within(1...64))], at: position)
        case 8...9 where !tokens.isEmpty:  // a token of the format, inserted or overwriting
            let token = random.pick(tokens)
            if random.oneIn(2) || position + token.count > bytes.count {
                bytes.insert(contentsOf: token, at: position)
            } else {
                bytes.replaceSubrange(position..<(position + token.count), with: token)
            }
        default:
            bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
        }
    }
}
