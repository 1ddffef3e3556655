import TockModel
import TockRaft
import TockWire
import XCTest

@testable import TockRaftTransport

/// The framing pieces without sockets.
final class FramingTests: XCTestCase {
    func testSmallMessageIsOneWholeFrame() throws {
        var encoder = RaftFrameEncoder()
        let message = Message(kind: .append, from: "a", to: "b", term: 1, entries: [Entry(term: 1, index: 1)])
        let frames = encoder.payloads(for: message)
        XCTAssertEqual(frames.count, 1)
        XCTAssertEqual(try RaftFrame(decoding: frames[0]), .message(message))
    }

    func testBigMessageIsChunkedAndReassembled() throws {
        var encoder = RaftFrameEncoder()
        let entry = Entry(term: 1, index: 1, data: (0..<(3 << 20 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let message = Message(kind: .append, from: "a", to: "b", term: 1, entries: [entry])
        let frames = encoder.payloads(for: message)
        XCTAssertEqual(frames.count, 4)
        var assembler = ChunkAssembler()
        var delivered: [Message] = []
        for (position, frame) in frames.enumerated() {
            XCTAssertLessThanOrEqual(frame.count, RaftFrameLimits.maxSentFramePayload)
            let decoded = try RaftFrame(decoding: frame)
            guard case .chunk(let chunk) = decoded else { return XCTFail("frame \(position) is not a chunk") }
            XCTAssertEqual(chunk.sequence, UInt32(position))
            XCTAssertEqual(chunk.last, position == frames.count - 1)
            if let message = try assembler.add(decoded) { delivered.append(message) }
        }
        XCTAssertEqual(delivered, [message])

        // The next stream gets a new id and the assembler is ready for it.
        let second = encoder.payloads(for: message)
        guard case .chunk(let first) = try RaftFrame(decoding: second[0]) else { return XCTFail() }
        guard case .chunk(let earlier) = try RaftFrame(decoding: frames[0]) else { return XCTFail() }
        XCTAssertNotEqual(first.streamID, earlier.streamID)
        XCTAssertNil(try assembler.add(.chunk(first)))
    }

    func testAssemblerRejectsBrokenStreams() {
        let message = Message(kind: .heartbeat, from: "a", to: "b", term: 1)
        var assembler = ChunkAssembler()
        XCTAssertThrowsError(try assembler.add(.chunk(RaftChunk(streamID: 1, sequence: 1, last: false, data: [1]))))

        assembler = ChunkAssembler()
        XCTAssertNil(try assembler.add(.chunk(RaftChunk(streamID: 1, sequence: 0, last: false, data: [1]))))
        XCTAssertThrowsError(try assembler.add(.message(message)))

        assembler = ChunkAssembler()
        XCTAssertNil(try assembler.add(.chunk(RaftChunk(streamID: 1, sequence: 0, last: false, data: [1]))))
        XCTAssertThrowsError(try assembler.add(.chunk(RaftChunk(streamID: 2, sequence: 1, last: true, data: [1]))))

        assembler = ChunkAssembler(maxMessageBytes: 4)
        XCTAssertNil(try assembler.add(.chunk(RaftChunk(streamID: 1, sequence: 0, last: false, data: [1, 2, 3]))))
        XCTAssertThrowsError(try assembler.add(.chunk(RaftChunk(streamID: 1, sequence: 1, last: true, data: [4, 5])))) {
            XCTAssertEqual($0 as? RaftTransportError, .messageTooLarge(5))
        }

        assembler = ChunkAssembler()
        XCTAssertThrowsError(try assembler.add(.chunk(RaftChunk(streamID: 1, sequence: 0, last: true, data: [0xFF])))) {
            XCTAssertEqual($0 as? RaftTransportError, .undecodable(.malformed("RaftMessage")))
        }
    }

    func testBackoffDoublesToTwoSecondsAndResets() {
        var backoff = ReconnectBackoff()
        let delays = (0..<7).map { _ in backoff.next() }
        XCTAssertEqual(
            delays,
            [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                .milliseconds(1600), .seconds(2), .seconds(2),
            ])
        backoff.reset()
        XCTAssertEqual(backoff.next(), .milliseconds(100))
    }
}
