/// scheduled-db's two kinds of job, by the names its API and its webhook body use (Spanish: "single" and
/// "recurring").
public enum ScheduledDBJobType: String, CaseIterable, Sendable, Codable {
    /// Runs once, at `timestamp`.
    case unico
    /// Runs on a five-field cron schedule (`cron_expression`) until `last_date`.
    case recurrente
}
