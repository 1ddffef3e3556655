/// Counts, per run, the deliveries an executor handed back without calling the webhook because the target's
/// circuit breaker was open, so that they are not counted as attempts.
///
/// JetStream counts every delivery, and a nak'd message comes back with its count raised; the executor subtracts what
/// it remembers here. Memory is local: a run deferred by one executor and redelivered to another is counted there as
/// one more attempt (see Schemas/API.md, "The webhook call", "Circuit breaker"). Entries not touched for `retention`
/// are dropped, so runs finished elsewhere do not accumulate.
public struct BreakerDeferrals: Sendable {
    private struct Entry: Sendable {
        var count: UInt64
        var lastTouchedNs: Int64
    }

    private var entries: [String: Entry] = [:]
    private var sizeAfterLastPrune = 0
    /// Longer than the longest wait a run can be nak'd with (a `Retry-After`, capped at an hour), so a run still
    /// being retried keeps its count.
    public let retention: Duration

    public init(retention: Duration = .seconds(2 * 3600)) {
        self.retention = retention
    }

    /// One more delivery of `run` was deferred.
    public mutating func recordDeferral(of run: String, nowNs: Int64) {
        entries[run, default: Entry(count: 0, lastTouchedNs: nowNs)].count += 1
        entries[run]?.lastTouchedNs = nowNs
        // Amortised: a full sweep only once the table has doubled since the last one.
        if entries.count > max(1024, 2 * sizeAfterLastPrune) { prune(nowNs: nowNs) }
    }

    /// Deliveries of `run` deferred so far; also keeps the entry alive, as the run is still in play.
    public mutating func deferrals(of run: String, nowNs: Int64) -> UInt64 {
        guard var entry = entries[run] else { return 0 }
        entry.lastTouchedNs = nowNs
        entries[run] = entry
        return entry.count
    }

    /// The run ended here; nothing more to correct.
    public mutating func forget(_ run: String) {
        entries[run] = nil
    }

    public var count: Int { entries.count }

    public mutating func prune(nowNs: Int64) {
        let cutoff = nowNs - retention.nanoseconds
        entries = entries.filter { $0.value.lastTouchedNs >= cutoff }
        sizeAfterLastPrune = entries.count
    }
}
