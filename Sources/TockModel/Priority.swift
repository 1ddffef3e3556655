/// How urgently a run should be executed. Each priority has its own JetStream
/// consumer (`tock-exec-<rawValue>`) and subject token (`tock.jobs.<rawValue>.<shard>`).
///
/// Ordered by urgency: `critical < high < normal < low`, so sorting ascending
/// puts the most urgent first.
public enum Priority: String, CaseIterable, Sendable, Codable, Comparable {
    case critical, high, normal, low

    public static func < (lhs: Priority, rhs: Priority) -> Bool {
        lhs.urgencyRank < rhs.urgencyRank
    }

    // Explicit rather than derived from `allCases` so reordering the cases can
    // never silently change scheduling order.
    private var urgencyRank: Int {
        switch self {
        case .critical: 0
        case .high: 1
        case .normal: 2
        case .low: 3
        }
    }
}
