import TockModel
import TockRaft
import TockWire
import XCTest

/// The values the Raft log storage keeps as blobs, and the frame envelope.
final class RaftStateWireTests: XCTestCase {
    func testHardStateWithVoteRoundTrips() throws {
        let state = HardState(term: .max, vote: "nöde-2", commit: 41)
        XCTAssertEqual(try HardState(decoding: state.encoded()), state)
    }

    func testHardStateWithoutVoteRoundTrips() throws {
        for state in [HardState(), HardState(term: 5, vote: nil, commit: 3)] {
            let decoded = try HardState(decoding: state.encoded())
            XCTAssertEqual(decoded, state)
            XCTAssertNil(decoded.vote)
        }
        // The zero state is the empty message: a fresh node's blob is zero bytes.
        XCTAssertEqual(HardState().encoded(), [])
    }

    func testMembershipRoundTripsAndEncodesDeterministically() throws {
        let membership = Membership(voters: ["n3", "n1", "n2"], learners: ["n5", "n4"])
        XCTAssertEqual(try Membership(decoding: membership.encoded()), membership)
        // Same sets built in another order: same bytes.
        let other = Membership(voters: ["n2", "n3", "n1"], learners: ["n4", "n5"])
        XCTAssertEqual(membership.encoded(), other.encoded())
        XCTAssertEqual(try Membership(decoding: Membership(voters: []).encoded()), Membership(voters: []))
    }

    func testSnapshotRoundTrips() throws {
        let snapshot = RaftMessageWireTests.snapshot()
        XCTAssertEqual(try Snapshot(decoding: snapshot.encoded()), snapshot)
    }

    func testSnapshotWithoutMembershipIsMissingField() {
        XCTAssertThrowsError(try Snapshot(decoding: [0x08, 0x01])) { error in
            XCTAssertEqual(error as? WireError, .missingField("RaftSnapshot.membership"))
        }
    }

    func testFramesRoundTrip() throws {
        let message = Message(kind: .append, from: "n1", to: "n2", term: 1, entries: RaftMessageWireTests.entries())
        XCTAssertEqual(try RaftFrame(decoding: RaftFrame.message(message).encoded()), .message(message))
        for chunk in [
            RaftChunk(streamID: .max, sequence: .max, last: true, data: RaftMessageWireTests.mebibyte),
            RaftChunk(streamID: 0, sequence: 0, last: false, data: []),
        ] {
            XCTAssertEqual(try RaftFrame(decoding: RaftFrame.chunk(chunk).encoded()), .chunk(chunk))
        }
        for chunk in [
            RaftSnapshotChunk(sequence: .max, last: true, data: RaftMessageWireTests.mebibyte, size: .max, checksum: 1),
            RaftSnapshotChunk(sequence: 0, last: false, data: []),
        ] {
            XCTAssertEqual(try RaftFrame(decoding: RaftFrame.snapshotChunk(chunk).encoded()), .snapshotChunk(chunk))
        }
        XCTAssertThrowsError(try RaftFrame(decoding: [])) { error in
            XCTAssertEqual(error as? WireError, .missingField("RaftFrame.body"))
        }
    }

    func testSnapshotChecksumIsTheSameInAnyPiecesAndCatchesAChangedByte() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var whole = SnapshotChecksum()
        whole.add(data)
        var pieces = SnapshotChecksum()
        for start in stride(from: 0, to: data.count, by: 777) {
            pieces.add(Array(data[start..<min(start + 777, data.count)]))
        }
        XCTAssertEqual(pieces, whole)
        XCTAssertEqual(whole.size, 10_000)
        var changed = data
        changed[5_000] ^= 1
        var other = SnapshotChecksum()
        other.add(changed)
        XCTAssertNotEqual(other.value, whole.value)
    }
}
