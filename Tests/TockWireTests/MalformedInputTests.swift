import TockModel
import TockWire
import XCTest

final class MalformedInputTests: XCTestCase {
    private func assertMalformed(
        _ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line
    ) {
        let decoders: [(String, ([UInt8]) throws -> Void)] = [
            ("JobRun", { _ = try JobRun(decoding: $0) }),
            ("Completion", { _ = try Completion(decoding: $0) }),
            ("CompletionBatch", { _ = try CompletionBatch(decoding: $0) }),
            ("JobSpec", { _ = try JobSpec(decoding: $0) }),
            ("ShardCommand", { _ = try ShardCommand(decoding: $0) }),
        ]
        for (name, decode) in decoders {
            XCTAssertThrowsError(try decode(bytes), name, file: file, line: line) { error in
                XCTAssertEqual(error as? WireError, .malformed(name), file: file, line: line)
            }
        }
    }

    func testGarbageIsMalformed() {
        assertMalformed([0xFF])
        assertMalformed([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])  // endless varint
        assertMalformed([0x0F])  // wire type 7 does not exist
        assertMalformed([0x0A, 0x10, 0x61])  // length 16, one byte present
        assertMalformed([0x00, 0x00])  // field number 0
    }

    func testTruncatedMessagesAreMalformed() {
        let run = Fixtures.jobRun().encoded()
        XCTAssertThrowsError(try JobRun(decoding: Array(run.dropLast()))) { error in
            XCTAssertEqual(error as? WireError, .malformed("JobRun"))
        }
        let command = ShardCommand.markDone([Fixtures.completion()], atNs: 5).encoded()
        XCTAssertThrowsError(try ShardCommand(decoding: Array(command.dropLast(3)))) { error in
            XCTAssertEqual(error as? WireError, .malformed("ShardCommand"))
        }
    }

    /// Random and mutated inputs must only ever throw WireError or decode; a crash
    /// fails the whole run. Seeded so a failure reproduces.
    func testRandomInputNeverCrashes() {
        var random = SplitMix64(seed: 0x7_0C4)
        let valid = [
            Fixtures.jobRun(body: Array(0..<64)).encoded(),
            ShardCommand.markDone([Fixtures.completion()], atNs: 1).encoded(),
            CompletionBatch(completions: [Fixtures.completion(), Fixtures.completion()]).encoded(),
            ShardCommand.createJob(Fixtures.jobSpec(), createdAtNs: 1).encoded(),
        ]
        var outcomes = [String: Int]()
        for iteration in 0..<20_000 {
            var bytes: [UInt8]
            if iteration % 2 == 0 {
                bytes = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                bytes = valid[Int(random.next() % UInt64(valid.count))]
                for _ in 0..<(1 + random.next() % 4) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            for message in 0..<4 {
                do throws(WireError) {
                    switch message {
                    case 0: _ = try JobRun(decoding: bytes)
                    case 1: _ = try Completion(decoding: bytes)
                    case 2: _ = try CompletionBatch(decoding: bytes)
                    default: _ = try ShardCommand(decoding: bytes)
                    }
                    outcomes["decoded", default: 0] += 1
                } catch {
                    // `error` is statically WireError: anything else would not compile.
                    switch error {
                    case .malformed: outcomes["malformed", default: 0] += 1
                    case .missingField: outcomes["missingField", default: 0] += 1
                    }
                }
            }
        }
        // Both error kinds must actually have been exercised for the test to mean anything.
        XCTAssertGreaterThan(outcomes["malformed", default: 0], 0)
        XCTAssertGreaterThan(outcomes["missingField", default: 0], 0)
    }
}

/// Small deterministic generator so the fuzz inputs are the same on every run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
