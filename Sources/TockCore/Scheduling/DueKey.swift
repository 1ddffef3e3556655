/// Where a run sits in due order: its due time, then its job id, so runs due at the same instant still have a
/// strict order. The due-timer's window and the index scans that fill it page by this key, which makes progress
/// even when many runs share one due time.
public struct DueKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var dueAtNs: Int64
    public var jobID: String

    public init(dueAtNs: Int64, jobID: String) {
        self.dueAtNs = dueAtNs
        self.jobID = jobID
    }

    /// The first key at `dueAtNs`: below every run due then (job ids are never empty), above every run due earlier.
    public static func start(of dueAtNs: Int64) -> DueKey { DueKey(dueAtNs: dueAtNs, jobID: "") }

    /// Below every run.
    public static let lowest = start(of: .min)

    /// Job ids are ASCII, so Swift's string order here is SQLite's (BINARY) text order.
    public static func < (a: DueKey, b: DueKey) -> Bool {
        a.dueAtNs != b.dueAtNs ? a.dueAtNs < b.dueAtNs : a.jobID < b.jobID
    }

    public var description: String { "\(dueAtNs)/\(jobID)" }
}

extension DueEntry {
    public var key: DueKey { DueKey(dueAtNs: dueAtNs, jobID: jobID) }
}
