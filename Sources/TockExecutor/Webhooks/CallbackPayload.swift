import TockCore
import TockModel
import TockWire

/// The JSON body of a callback: `{"attempts", "error", "finished_at", "job_id", "last_status", "run", "state"}`,
/// keys sorted; `error` and `last_status` are left out when there is none.
enum CallbackPayload {
    static func body(of event: OutcomeEvent) -> [UInt8] {
        var json = JSONText(capacity: 256)
        json.object { json in
            json.field("attempts", event.attempts)
            json.field("error", event.error.isEmpty ? nil : event.error)
            json.field("finished_at", RFC3339.format(ns: event.finishedAtNs, fractionDigits: 6))
            json.field("job_id", event.jobID)
            json.field("last_status", event.lastHTTPStatus == 0 ? nil : event.lastHTTPStatus)
            json.field("run", event.run)
            json.field("state", event.state.rawValue)
        }
        return json.bytes
    }

    /// The Standard Webhooks message id: the same on every attempt of one callback, different for the outcome and
    /// the failure callback of one event.
    static func messageID(of event: OutcomeEvent, _ kind: OutcomeEvent.CallbackKind) -> String {
        "\(event.key.messageID)/\(kind.rawValue)"
    }
}
