import TockModel
import TockWire

/// Values chosen to break naive codecs: non-ASCII text, NUL bytes inside binary
/// data, integer extremes, repeated header names, empty strings.
enum Fixtures {
    static let unicode = "jöb-🚀-日本語-\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}-ñ"

    /// 64 KiB with zero bytes spread through it, not just at the ends.
    static let bigBody: [UInt8] = (0..<(64 * 1024)).map { UInt8(truncatingIfNeeded: $0 % 251) }

    static let manyHeaders: [Header] = (0..<200).map { index in
        // Repeated names and an empty value: order and duplicates must survive.
        Header(name: "X-Tock-\(index % 7)", value: index == 3 ? "" : "välue-\(index)-\(unicode)")
    }

    static func target(body: [UInt8] = bigBody, headers: [Header] = manyHeaders) -> HTTPTarget {
        HTTPTarget(url: "https://example.test/höök?q=\(unicode)", method: "POST", headers: headers, body: body)
    }

    static func jobRun(priority: Priority = .high, body: [UInt8] = bigBody) -> JobRun {
        JobRun(
            jobID: "01J-\(unicode)",
            run: .max,
            shard: 7,
            priority: priority,
            target: target(body: body),
            timeoutMs: .max,
            maxAttempts: 1,
            idempotencyKey: "idem-\(unicode)",
            dueAtNs: .min,
            publishedAtNs: .max,
            traceID: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        )
    }

    static func completion(outcome: Outcome = .failed, httpStatus: Int32 = 503) -> Completion {
        Completion(
            jobID: "job-\(unicode)",
            run: 42,
            shard: .max,
            outcome: outcome,
            httpStatus: httpStatus,
            attempts: .max,
            startedAtNs: .min,
            finishedAtNs: .max,
            executorID: "executor-ü-1",
            error: "upstream said: \(unicode)"
        )
    }

    static func jobSpec(priority: Priority = .critical) -> JobSpec {
        JobSpec(
            id: "spec-\(unicode)",
            priority: priority,
            target: target(),
            timeoutMs: 30_000,
            maxAttempts: .max,
            idempotencyKey: "",
            dueAtNs: Int64.max
        )
    }
}
