/// What body an executor sends to a job's webhook.
///
/// The raw values are what the HTTP API accepts and shows (`"webhook_format"`) and what the job table stores.
public enum WebhookFormat: String, CaseIterable, Sendable, Codable {
    /// The job's own method, headers and body, as submitted.
    case tock
    /// The body scheduled-db sent, so receivers written for it keep working after a migration: always a POST of
    /// `{"data": <the job's body>, "job_id": …, "timestamp": <unix seconds at send>, "type": "unico"}`.
    case scheduledDB = "scheduled-db"
}
