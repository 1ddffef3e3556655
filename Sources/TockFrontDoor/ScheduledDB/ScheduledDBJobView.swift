import Foundation
import TockCore
import TockShard

/// A job as scheduled-db's `POST /jobs` and `GET /jobs/{id}` show it: times in Unix seconds, absent fields omitted.
///
///     {"id": "0-01M8…", "type": "unico", "timestamp": 1735120800, "created_at": 1735034400,
///      "webhook_url": "https://example.com/webhook", "payload": {"message": "Merry Christmas!"}}
///
/// It has no status: scheduled-db keeps that apart, at `GET /jobs/{id}/status`.
public struct ScheduledDBJobView: Codable, Sendable, Equatable {
    public var id: String
    public var type: ScheduledDBJobType
    /// When the job runs (`unico`).
    public var timestamp: Int64?
    /// `recurrente` only.
    public var cron_expression: String?
    public var last_date: Int64?
    public var created_at: Int64
    public var webhook_url: String?
    /// The job's body when it is a non-empty JSON object (scheduled-db omits an empty one).
    public var payload: [String: JSONValue]?

    public init(_ job: JobView) {
        id = job.scheduledDBID
        type = job.schedule == nil ? .unico : .recurrente
        cron_expression = job.schedule?.cron
        last_date = job.schedule?.end.map(ScheduledDBTimestamp.seconds(rfc3339:))
        timestamp = ScheduledDBTimestamp.seconds(rfc3339: job.run_at)
        created_at = ScheduledDBTimestamp.seconds(rfc3339: job.created_at)
        webhook_url = job.url.isEmpty ? nil : job.url
        if case .object(let object)? = JSONValue(parsing: Array(job.body.utf8)),
            !object.isEmpty
        {
            payload = object
        }
    }
}
