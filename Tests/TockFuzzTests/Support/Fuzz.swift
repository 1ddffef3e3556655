import Foundation
import TockRaft
import XCTest

/// Seeded property checks with a bounded budget. Every example draws its input from a seed of its own, derived
/// from the target's name and the example's number, so the same examples run on every machine and one seed
/// replays one example exactly:
///
/// - `TOCK_FUZZ_ITERATIONS=N` runs N times each target's CI count of examples (a long run; the extra examples
///   continue the same sequence of seeds);
/// - `TOCK_FUZZ_SEED=S` runs, in each target of the tests selected, only the example of seed S (so the failing
///   one in the target that printed S), printing its input before the property runs.
///
/// A failure names the target, the example's seed and its input. A crash cannot be caught, so `FuzzCrashNote`
/// writes the target and seed to stderr on the way down.
enum Fuzz {
    /// A property that does not hold for an input; the message says how.
    struct Failure: Error, CustomStringConvertible {
        let description: String

        init(_ description: String) { self.description = description }
    }

    /// How much longer than in CI to run (`TOCK_FUZZ_ITERATIONS`), at least 1.
    static let multiplier: Int =
        ProcessInfo.processInfo.environment["TOCK_FUZZ_ITERATIONS"]
        .flatMap { Int($0) }.map { max($0, 1) } ?? 1

    /// The one example to replay (`TOCK_FUZZ_SEED`).
    static let replaySeed: UInt64? = ProcessInfo.processInfo.environment["TOCK_FUZZ_SEED"].flatMap { UInt64($0) }

    /// The seeds of a target's examples: the one to replay, or `examples` × the multiplier of them.
    static func seeds(target: String, examples: Int) -> [UInt64] {
        if let replaySeed { return [replaySeed] }
        var salt = SplitMix64(seed: stableHash(target))
        let base = salt.next()
        return (0..<(examples * multiplier)).map { index in
            var mixer = SplitMix64(seed: base &+ UInt64(index))
            return mixer.next()
        }
    }

    /// The first example for which `property` fails, as a message naming its seed and input; nil when all pass.
    /// `filter` is what `swift test --filter` takes to run the example's test alone.
    static func firstFailure<Input>(
        target: String, filter: String, examples: Int, generate: (inout SplitMix64) -> Input,
        describe: (Input) -> String, property: (Input) throws -> Void
    ) -> String? {
        let run = Run(target: target, filter: filter, examples: examples)
        defer { run.end() }
        for seed in run.seeds {
            let input = run.input(seed: seed, generate: generate, describe: describe)
            do {
                try property(input)
            } catch {
                return run.report(seed: seed, input: describe(input), problem: error)
            }
        }
        run.passed()
        return nil
    }

    /// `firstFailure` for properties that await (the snapshot reception).
    static func firstFailure<Input>(
        target: String, filter: String, examples: Int, generate: (inout SplitMix64) -> Input,
        describe: (Input) -> String, property: (Input) async throws -> Void
    ) async -> String? {
        let run = Run(target: target, filter: filter, examples: examples)
        defer { run.end() }
        for seed in run.seeds {
            let input = run.input(seed: seed, generate: generate, describe: describe)
            do {
                try await property(input)
            } catch {
                return run.report(seed: seed, input: describe(input), problem: error)
            }
        }
        run.passed()
        return nil
    }

    /// One target's examples: their seeds, the crash note, the timing and the report.
    private struct Run {
        let target: String
        let filter: String
        let seeds: [UInt64]
        let started = ContinuousClock.now

        init(target: String, filter: String, examples: Int) {
            self.target = target
            self.filter = filter
            seeds = Fuzz.seeds(target: target, examples: examples)
            FuzzCrashNote.begin(target: target, filter: filter)
        }

        func input<Input>(seed: UInt64, generate: (inout SplitMix64) -> Input, describe: (Input) -> String)
            -> Input
        {
            FuzzCrashNote.example(seed)
            var random = SplitMix64(seed: seed)
            let input = generate(&random)
            if replaySeed != nil { print("fuzz \(target): replaying seed \(seed), input \(describe(input))") }
            return input
        }

        func report(seed: UInt64, input: String, problem: any Error) -> String {
            let shown = input.count > 4000 ? "\(input.prefix(4000))… (\(input.count) characters)" : input
            return "\(target), seed \(seed) (replay: TOCK_FUZZ_SEED=\(seed) swift test --filter \(filter)): "
                + "\(problem)\ninput: \(shown)"
        }

        func passed() { print("fuzz \(target): \(seeds.count) examples in \(ContinuousClock.now - started)") }

        func end() { FuzzCrashNote.end() }
    }

    /// FNV-1a: the same on every machine, unlike `Hasher`.
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }
}

extension XCTestCase {
    /// Checks `property` on `examples` generated inputs (see `Fuzz`); a failure fails the test with the seed and
    /// the input. `label` tells apart several properties checked by one test.
    func fuzz<Input>(
        _ label: String, examples: Int, file: StaticString = #filePath, line: UInt = #line,
        generate: (inout SplitMix64) -> Input, describe: (Input) -> String = { String(reflecting: $0) },
        property: (Input) throws -> Void
    ) {
        if let failure = Fuzz.firstFailure(
            target: "\(fuzzTarget) \(label)", filter: fuzzTarget, examples: examples,
            generate: generate, describe: describe, property: property)
        {
            XCTFail(failure, file: file, line: line)
        }
    }

    func fuzz<Input>(
        _ label: String, examples: Int, file: StaticString = #filePath, line: UInt = #line,
        generate: (inout SplitMix64) -> Input, describe: (Input) -> String = { String(reflecting: $0) },
        property: (Input) async throws -> Void
    ) async {
        if let failure = await Fuzz.firstFailure(
            target: "\(fuzzTarget) \(label)", filter: fuzzTarget,
            examples: examples, generate: generate, describe: describe,
            property: property)
        {
            XCTFail(failure, file: file, line: line)
        }
    }

    /// "Class.testMethod", which `swift test --filter` matches.
    private var fuzzTarget: String {
        // XCTest names a test "-[Class testMethod]" on Darwin and "Class.testMethod" elsewhere.
        name.trimmingCharacters(in: CharacterSet(charactersIn: "-[]")).replacingOccurrences(of: " ", with: ".")
    }
}
