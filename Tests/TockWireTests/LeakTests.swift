import Foundation
import TockModel
import TockWire
import XCTest

final class LeakTests: XCTestCase {
    /// 100k encode/decode cycles through every allocation path (strings, bytes,
    /// nested and repeated messages, the oneof, failing decodes). Every malloc
    /// chunk is at least 32 bytes, so leaking even one allocation per cycle grows
    /// the resident set by 3 MB or more; leaking a whole message, far more.
    ///
    /// Under AddressSanitizer set ASAN_OPTIONS=quarantine_size_mb=0: its quarantine
    /// holds freed memory back and would look like growth here.
    func testHundredThousandCyclesDoNotLeak() throws {
        var run = Fixtures.jobRun(body: Array(repeating: 0, count: 100))
        run.target.headers = Array(Fixtures.manyHeaders.prefix(3))
        let command = ShardCommand.markDone([Fixtures.completion(), Fixtures.completion(outcome: .gaveUp)], atNs: 9)
        let commandBytes = command.encoded()

        func cycle() throws {
            let decodedRun = try JobRun(decoding: run.encoded())
            let decodedCommand = try ShardCommand(decoding: command.encoded())
            _ = try ShardCommand(decoding: commandBytes)
            // Failure paths must free too: after unpack (missing field) and inside it (garbage).
            _ = try? ShardCommand(decoding: [0x0A, 0x00])
            _ = try? JobRun(decoding: [0xFF])
            if decodedRun != run || decodedCommand != command { XCTFail("round trip changed the value") }
        }

        // Warm up so one-time allocations (metadata caches, XCTest) are not counted.
        for _ in 0..<2_000 { try cycle() }
        let before = residentBytes()
        for _ in 0..<100_000 { try cycle() }
        let after = residentBytes()
        if let before, let after {
            XCTAssertLessThan(after - before, 2 << 20, "resident set grew by \(after - before) bytes over 100k cycles")
        }
    }

    /// Resident set size from /proc; nil where there is no /proc (macOS), in which
    /// case the cycles still run and a crash or sanitizer report still fails.
    private func residentBytes() -> Int? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
