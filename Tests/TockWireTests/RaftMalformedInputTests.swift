import TockModel
import TockRaft
import TockWire
import XCTest

final class RaftMalformedInputTests: XCTestCase {
    private static let decoders: [(String, @Sendable ([UInt8]) throws(WireError) -> Void)] = [
        ("RaftMessage", { (bytes) throws(WireError) in _ = try Message(decoding: bytes) }),
        ("RaftEntry", { (bytes) throws(WireError) in _ = try Entry(decoding: bytes) }),
        ("RaftHardState", { (bytes) throws(WireError) in _ = try HardState(decoding: bytes) }),
        ("RaftSnapshot", { (bytes) throws(WireError) in _ = try Snapshot(decoding: bytes) }),
        ("RaftMembership", { (bytes) throws(WireError) in _ = try Membership(decoding: bytes) }),
        ("RaftFrame", { (bytes) throws(WireError) in _ = try RaftFrame(decoding: bytes) }),
    ]

    func testGarbageIsMalformed() {
        let garbage: [[UInt8]] = [
            [0xFF],
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],  // endless varint
            [0x0F],  // wire type 7 does not exist
            [0x12, 0x10, 0x61],  // field 2, length 16, one byte present
            [0x00, 0x00],  // field number 0
        ]
        for bytes in garbage {
            for (name, decode) in Self.decoders {
                XCTAssertThrowsError(try decode(bytes), "\(name) \(bytes)") { error in
                    XCTAssertEqual(error as? WireError, .malformed(name))
                }
            }
        }
    }

    func testInvalidUTF8NodeIDIsMalformed() {
        // RaftHardState{vote: "\xC3"}
        XCTAssertThrowsError(try HardState(decoding: [0x12, 0x01, 0xC3])) { error in
            XCTAssertEqual(error as? WireError, .malformed("RaftHardState.vote: invalid UTF-8"))
        }
    }

    func testTruncatedMessageIsMalformed() {
        let message = Message(
            kind: .snapshot, from: "n1", to: "n2", term: 1,
            snapshot: Snapshot(index: 1, term: 1, membership: Membership(voters: ["n1", "n2", "n3"]))
        ).encoded()
        XCTAssertThrowsError(try Message(decoding: Array(message.dropLast()))) { error in
            XCTAssertEqual(error as? WireError, .malformed("RaftMessage"))
        }
    }

    /// Random and mutated inputs only ever decode or throw WireError. Seeded.
    func testRandomInputNeverCrashes() {
        var random = SplitMix64(seed: 0x4AF7)
        let valid = [
            Message(
                kind: .append, from: "n1", to: "n2", term: 3, index: 2, logTerm: 1,
                entries: [Entry(term: 3, index: 3, data: Array(0..<32)), Entry(term: 3, index: 4, kind: .noop)],
                commit: 2
            ).encoded(),
            Message(
                kind: .snapshot, from: "n1", to: "n2", term: 3,
                snapshot: Snapshot(index: 9, term: 2, membership: Membership(voters: ["a", "b"]))
            ).encoded(),
            HardState(term: 4, vote: "n3", commit: 2).encoded(),
            RaftFrame.chunk(RaftChunk(streamID: 1, sequence: 2, last: true, data: [1, 2, 3])).encoded(),
            RaftFrame.snapshotChunk(RaftSnapshotChunk(sequence: 3, last: true, data: [4, 5], size: 9, checksum: 7))
                .encoded(),
        ]
        var outcomes = [String: Int]()
        for iteration in 0..<10_000 {
            var bytes: [UInt8]
            if iteration % 2 == 0 {
                bytes = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                bytes = valid[Int(random.next() % UInt64(valid.count))]
                for _ in 0..<(1 + random.next() % 4) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            for (_, decode) in Self.decoders {
                do throws(WireError) {
                    try decode(bytes)
                    outcomes["decoded", default: 0] += 1
                } catch {
                    switch error {
                    case .malformed: outcomes["malformed", default: 0] += 1
                    case .missingField: outcomes["missingField", default: 0] += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(outcomes["decoded", default: 0], 0)
        XCTAssertGreaterThan(outcomes["malformed", default: 0], 0)
        XCTAssertGreaterThan(outcomes["missingField", default: 0], 0)
    }
}
