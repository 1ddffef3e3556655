import TockCore
import TockRaft
import XCTest

/// Request bodies for the parsers of the job APIs, written as a client would (`JSONGenerator`).
enum RequestBodies {
    /// Now, as a node reads it: mostly late 2024, sometimes anywhere in `Int64`.
    static func now(_ random: inout SplitMix64) -> Int64 {
        random.oneIn(20) ? random.edgyInt64() : 1_733_450_000_000_000_000 + Int64(random.within(0...1_000_000_000))
    }
}

extension XCTestCase {
    /// Gives `submit` random JSON bodies made of `fields` (at a random now); `submit` says whether a body became a
    /// job. Nothing may trap, and at least one body in 20 must become a job, so that every check is reached.
    func fuzzBodies(
        _ label: String, examples: Int, file: StaticString = #filePath, line: UInt = #line,
        fields: (_ nowNs: Int64, inout SplitMix64) -> [String: JSONValue],
        submit: (_ body: [UInt8], _ nowNs: Int64) -> Bool
    ) {
        var accepted = 0
        fuzz(label, examples: examples, file: file, line: line) { random -> (body: String, nowNs: Int64) in
            let nowNs = RequestBodies.now(&random)
            return (JSONGenerator.text(of: .object(fields(nowNs, &random)), using: &random), nowNs)
        } property: { body, nowNs in
            if submit(Array(body.utf8), nowNs) { accepted += 1 }
        }
        if Fuzz.replaySeed == nil {
            XCTAssertGreaterThan(
                accepted, examples * Fuzz.multiplier / 20, "too few bodies became jobs",
                file: file, line: line)
        }
    }
}
