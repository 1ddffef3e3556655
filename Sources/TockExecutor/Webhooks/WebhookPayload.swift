import TockCore
import TockModel
import TockWire

/// The method, body and content type one attempt sends, as the run's webhook format calls for.
struct WebhookPayload: Equatable {
    var method: String
    var body: [UInt8]
    /// Replaces the job's own `Content-Type` when set.
    var contentType: String?
}

extension WebhookPayload {
    /// `sentAtSeconds` is the attempt's send time: scheduled-db's body carries it, so it is built per attempt.
    init(_ run: JobRun, sentAtSeconds: Int64) {
        switch run.webhookFormat {
        case .tock:
            method = run.target.method
            body = run.target.body
            contentType = nil
        case .scheduledDB:
            method = "POST"
            // A            // scheduled-db client that chose its job's id (kept as the idempotency key) expects that id back.
            body = ScheduledDBWebhookBody.encode(
                jobID: run.idempotencyKey.isEmpty ? run.jobID : run.idempotencyKey,
                type: run.recurring ? .recurrente : .unico, sentAtSeconds: sentAtSeconds,
                payload: run.target.body)
            contentType = "application/json"
        }
    }
}
