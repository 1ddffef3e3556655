import TockModel
import TockRaft
import TockWire
import XCTest

final class RaftMessageWireTests: XCTestCase {
    static let allKinds: [Message.Kind] = [
        .preVote, .preVoteResponse, .vote, .voteResponse, .append, .appendResponse,
        .heartbeat, .heartbeatResponse, .snapshot, .timeoutNow,
    ]

    /// 1 MiB with zero bytes spread through it.
    static let mebibyte: [UInt8] = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 % 253) }

    static func entries() -> [Entry] {
        [
            Entry(term: 1, index: 1, kind: .noop),
            Entry(term: 1, index: 2, kind: .normal, data: []),
            Entry(term: 2, index: 3, kind: .normal, data: mebibyte),
            Entry(term: .max, index: .max, kind: .configChange, data: [0, 1, 0, 255]),
        ]
    }

    static func snapshot() -> Snapshot {
        Snapshot(index: 1_000, term: 7, membership: Membership(voters: ["n1", "n2", "nöde-3"], learners: ["n4"]))
    }

    private func assertRoundTrip(_ message: Message, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try Message(decoding: message.encoded()), message, file: file, line: line)
    }

    func testEveryKindRoundTripsWithoutEntries() {
        for kind in Self.allKinds {
            assertRoundTrip(Message(kind: kind, from: "n1", to: "n2", term: 3))
        }
    }

    func testEveryKindRoundTripsWithEveryFieldSet() {
        for kind in Self.allKinds {
            assertRoundTrip(
                Message(
                    kind: kind, from: "n-ü-1", to: "n2", term: .max, index: .max - 1, logTerm: 5,
                    entries: Self.entries(), commit: 99, reject: true, rejectHint: 12, hintTerm: 4,
                    transfer: true, context: .max - 2
                )
            )
        }
    }

    func testEveryKindRoundTripsWithSnapshot() {
        for kind in Self.allKinds {
            let message = Message(kind: kind, from: "n1", to: "n3", term: 9, snapshot: Self.snapshot())
            let decoded = try? Message(decoding: message.encoded())
            XCTAssertEqual(decoded, message)
            XCTAssertNotNil(decoded?.snapshot)
        }
    }

    func testEmptySnapshotIsStillPresent() throws {
        let empty = Snapshot(index: 0, term: 0, membership: Membership(voters: []))
        let message = Message(kind: .snapshot, from: "a", to: "b", term: 1, snapshot: empty)
        XCTAssertEqual(try Message(decoding: message.encoded()).snapshot, empty)
        XCTAssertNil(try Message(decoding: Message(kind: .snapshot, from: "a", to: "b", term: 1).encoded()).snapshot)
    }

    /// A vote request from a leadership transfer must still say so after the wire, or every voter holding a
    /// check-quorum lease refuses it and the transfer never completes between processes.
    func testTransferFlagSurvivesTheWire() throws {
        for kind in [Message.Kind.vote, .preVote] {
            let message = Message(kind: kind, from: "n1", to: "n2", term: 4, index: 7, logTerm: 3, transfer: true)
            XCTAssertTrue(try Message(decoding: message.encoded()).transfer)
        }
        XCTAssertFalse(try Message(decoding: Message(kind: .vote, from: "n1", to: "n2", term: 4).encoded()).transfer)
        // RaftMessage{kind: VOTE, transfer: true}: field 13, varint.
        XCTAssertTrue(try Message(decoding: [0x08, 3, 0x68, 0x01]).transfer)
    }

    /// The read-index round a heartbeat carries must come back on its response, or reads are never confirmed.
    func testContextSurvivesTheWire() throws {
        for kind in [Message.Kind.heartbeat, .heartbeatResponse] {
            for context: UInt64 in [0, 1, 300, .max] {
                let message = Message(kind: kind, from: "n1", to: "n2", term: 4, commit: 3, context: context)
                XCTAssertEqual(try Message(decoding: message.encoded()).context, context)
            }
        }
        // RaftMessage{kind: HEARTBEAT_RESPONSE, context: 300}: field 14, varint 300 = 0xAC 0x02.
        XCTAssertEqual(try Message(decoding: [0x08, 8, 0x70, 0xAC, 0x02]).context, 300)
    }

    func testEveryEntryKindRoundTripsAlone() throws {
        for kind in [Entry.Kind.normal, .noop, .configChange] {
            for data in [[], Self.mebibyte] {
                let entry = Entry(term: 3, index: 4, kind: kind, data: data)
                XCTAssertEqual(try Entry(decoding: entry.encoded()), entry)
            }
        }
    }

    func testMessageWithSnapshotAndEntriesRoundTrips() {
        assertRoundTrip(
            Message(
                kind: .append, from: "n1", to: "n2", term: 2, index: 1, logTerm: 1,
                entries: Self.entries(), commit: 1, snapshot: Self.snapshot()
            )
        )
    }

    func testUnspecifiedKindIsMissingField() {
        // An empty message parses as all defaults: kind 0 = UNSPECIFIED.
        XCTAssertThrowsError(try Message(decoding: [])) { error in
            XCTAssertEqual(error as? WireError, .missingField("RaftMessage.kind"))
        }
        // kind = 11, a number from a newer schema.
        XCTAssertThrowsError(try Message(decoding: [0x08, 11])) { error in
            XCTAssertEqual(error as? WireError, .missingField("RaftMessage.kind"))
        }
        XCTAssertEqual(try Message(decoding: [0x08, 10]).kind, .timeoutNow)
    }

    func testUnspecifiedEntryKindIsMissingField() {
        // RaftMessage{kind: APPEND, entries: [RaftEntry{term: 1}]}: the entry has kind 0.
        XCTAssertThrowsError(try Message(decoding: [0x08, 5, 0x3A, 0x02, 0x08, 0x01])) { error in
            XCTAssertEqual(error as? WireError, .missingField("RaftEntry.kind"))
        }
        XCTAssertThrowsError(try Entry(decoding: [0x08, 0x01])) { error in
            XCTAssertEqual(error as? WireError, .missingField("RaftEntry.kind"))
        }
    }
}
