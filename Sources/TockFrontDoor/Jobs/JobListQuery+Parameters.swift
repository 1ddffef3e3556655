import Hummingbird
import TockCore
import TockModel
import TockShard
import TockWire

extension JobListQuery {
    static let maxLimit = 1000

    /// `state`, `priority`, `host`, `since`, `until`, `idempotency_key`, `tenant`, `cursor` and `limit` (1 to
    /// 1000, default 100) from a query string; `since` and `until` as durations count back from `nowNs`.
    init(parameters: Parameters, nowNs: Int64) throws(FieldError) {
        self.init()
        if let text = parameters["state"].map(String.init) {
            guard let state = JobState(rawValue: text) else {
                throw FieldError(
                    field: "state",
                    message: "state must be one of "
                        + JobState.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self.state = state
        }
        if let text = parameters["priority"].map(String.init) {
            guard let priority = Priority(rawValue: text) else {
                throw FieldError(field: "priority", message: "priority must be one of critical, high, normal, low")
            }
            self.priority = priority
        }
        if let text = parameters["limit"].map(String.init) {
            guard let limit = Int(text), (1...Self.maxLimit).contains(limit) else {
                throw FieldError(field: "limit", message: "limit must be an integer from 1 to \(Self.maxLimit)")
            }
            self.limit = limit
        }
        for name: Substring in ["host", "since", "until"] {
            if let text = parameters[name].map(String.init) { try set(String(name), text, nowNs: nowNs) }
        }
        try checkTimeRange()
        cursor = parameters["cursor"].map(String.init)
        idempotencyKey = parameters["idempotency_key"].map(String.init)
        tenant = parameters["tenant"].map(String.init)
    }
}
