import TockTestSupport

/// When jobs' calls reached a `WebhookSink`, and the figures the flow tests draw from that.
struct SinkArrivals {
    /// Every call, in the order the sink received them, but those of `ExecutorProcesses.warmUp`.
    let calls: [WebhookSink.Received]

    init(_ sink: WebhookSink) {
        calls = sink.requests.filter { $0.path != ExecutorProcesses.warmUpPath }
    }

    /// When each job was first called, by job id.
    var firstCallNs: [String: Int64] {
        calls.reduce(into: [:]) { first, call in first[call.jobID] = min(first[call.jobID] ?? .max, call.receivedAtNs) }
    }

    /// Calls beyond the first of their job.
    var repeatedCalls: Int { calls.count - Set(calls.map(\.jobID)).count }

    /// From the first call to the last.
    var spanNs: Int64 {
        let times = calls.map(\.receivedAtNs)
        return (times.max() ?? 0) - (times.min() ?? 0)
    }

    /// The most calls received in any window `[t, t + widthNs)`, wherever t lies (the fullest window starts at a
    /// call).
    func mostInAnyWindow(widthNs: Int64) -> Int {
        let times = calls.map(\.receivedAtNs).sorted()
        var most = 0
        var end = 0
        for start in times.indices {
            while end < times.count, times[end] < times[start] + widthNs { end += 1 }
            most = max(most, end - start)
        }
        return most
    }
}

extension SinkArrivals {
    /// Waits until every job of `ids` was called, and returns the sink's calls.
    static func awaitAll(
        _ ids: [String], at sink: WebhookSink, within limit: Duration, file: StaticString = #filePath,
        line: UInt = #line
    ) async throws -> SinkArrivals {
        let expected = Set(ids)
        var called = 0
        return try await eventually(
            within: limit, "all \(ids.count) jobs called; \(called) were", file: file, line: line
        ) {
            // Counting first: the set of ids called is worth building only once there can be enough.
            guard sink.requests.count >= expected.count else { return nil }
            let arrivals = SinkArrivals(sink)
            let first = arrivals.firstCallNs
            called = expected.filter { first[$0] != nil }.count
            return called == expected.count ? arrivals : nil
        }
    }
}
