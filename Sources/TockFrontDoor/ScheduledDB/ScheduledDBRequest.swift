import Foundation
import TockCore
import TockModel
import TockWire

/// scheduled-db's `POST /jobs` body, read the way scheduled-db reads it, and turned into a Tock `JobSpec`.
///
///     {"id": "optional", "type": "unico" | "recurrente", "timestamp": "RFC 3339 or epoch seconds",
///      "cron_expression": "0 9 * * 1-5", "last_date": "RFC 3339 or epoch seconds",
///      "webhook_url": "https://…", "payload": {"any": "object"}}
///
/// As in scheduled-db (Go's `encoding/json` into a struct): unknown fields are ignored, an empty string is the same
/// as an absent field, `timestamp` is required for `unico` and must be in the future, `cron_expression` is required
/// for `recurrente`. Errors carry scheduled-db's messages where it has one. Where Tock differs:
/// - A job without `webhook_url` is a timer (`Destination.timer`), as in scheduled-db: each run completes at its time,
///   with its state, attempts and outcome event recorded, and nothing is called. Its `payload` is not kept, since
///   nothing is sent.
/// - `id` is kept as the idempotency key: Tock assigns ids that name the owning shard. The `id` names one job for
///   as long as that job is live (scheduled or running, however old): a second create with it answers that job
///   (200) instead of replacing it, so a retried create can never run twice. Once the job has finished or been
///   cancelled the `id` is free, and a create with it makes a new job (scheduled-db's replacement). The shard's
///   state machine decides, so it holds across leaders and shards.
/// - `timestamp` and `last_date` may also be JSON numbers.
/// - `recurrente` runs on Tock's cron (UTC), which also takes an optional seconds field and macros.
public struct ScheduledDBRequest: Sendable, Equatable {
    public enum Schedule: Sendable, Equatable {
        /// `unico`: one run at this Unix second.
        case once(atSeconds: Int64)
        /// `recurrente`: runs on a five-field cron expression, from `firstRunSeconds` (`timestamp`; nil for "from
        /// now") and not after `lastDateSeconds` (`last_date`; nil for "forever").
        case recurring(cronExpression: String, firstRunSeconds: Int64?, lastDateSeconds: Int64?)
    }

    /// The client's own id, kept as Tock's idempotency key; nil when none was given.
    public var id: String?
    public var schedule: Schedule
    /// nil for a timer.
    public var webhookURL: String?
    /// The JSON object sent as the webhook body's `data`; nil when none was given.
    public var payload: [String: JSONValue]?

    public var type: ScheduledDBJobType {
        switch schedule {
        case .once: .unico
        case .recurring: .recurrente
        }
    }
}

extension ScheduledDBRequest {
    /// `nowNs` decides whether a `unico` timestamp is in the future.
    public static func parse(json: some Collection<UInt8>, nowNs: Int64) throws(FieldError) -> ScheduledDBRequest {
        let fields = try JSONValue.object(
            parsing: json, notJSON: "Invalid request body", notObject: "Invalid request body")
        return try parse(fields: fields, nowNs: nowNs)
    }

    public static func parse(fields: [String: JSONValue], nowNs: Int64) throws(FieldError) -> ScheduledDBRequest {
        let id = try string(fields, "id")
        let typeText = try string(fields, "type") ?? ""
        let type = ScheduledDBJobType(rawValue: typeText)
        // scheduled-db reads the times a type uses before it validates anything, so a malformed time is reported
        // ahead of a missing one; a type that does not use a time ignores it.
        let timestamp = try type == nil ? nil : time(fields, "timestamp", nowNs: nowNs)
        let lastDate = try type == .recurrente ? time(fields, "last_date", nowNs: nowNs) : nil
        let schedule: Schedule
        switch type {
        case nil:
            throw FieldError(field: "type", message: "Job validation failed: invalid job type: \(typeText)")
        case .unico?:
            guard let timestamp else {
                throw FieldError(
                    field: "timestamp", code: "missing_field",
                    message: "Job validation failed: timestamp is required for unico jobs")
            }
            guard timestamp > ScheduledDBTimestamp.seconds(ns: nowNs) else {
                throw FieldError(field: "timestamp", message: "Job validation failed: timestamp must be in the future")
            }
            schedule = .once(atSeconds: timestamp)
        case .recurrente?:
            guard let cron = try string(fields, "cron_expression") else {
                throw FieldError(
                    field: "cron_expression", code: "missing_field",
                    message: "Job validation failed: cron_expression is required for recurrente jobs")
            }
            try checkCronShape(cron)
            schedule = .recurring(cronExpression: cron, firstRunSeconds: timestamp, lastDateSeconds: lastDate)
        }
        let url = try string(fields, "webhook_url")
        let payload: [String: JSONValue]?
        switch fields["payload"] {
        case nil, .null?: payload = nil
        case .object(let object)?: payload = object
        case let other?:
            throw FieldError(
                field: "payload", message: "Invalid request body: payload must be a JSON object, not \(other.kind)")
        }
        return ScheduledDBRequest(id: id, schedule: schedule, webhookURL: url, payload: payload)
    }

    /// The job Tock stores: a POST of scheduled-db's body to `webhook_url` at `timestamp`, with `payload` as
    /// `data` (a timer when there is no `webhook_url`), and the client's `id` as idempotency key; Tock's defaults for priority, timeout and attempts. A
    /// `recurrente` job runs on its cron expression in UTC, from `timestamp` (if given) until `last_date` (if given).
    public func jobSpec(nowNs: Int64, policy: SubmitPolicy = .init()) throws(FieldError) -> JobSpec {
        var tock: [String: JSONValue] = ["webhook_format": .string("scheduled-db")]
        if let webhookURL {
            tock["url"] = .string(webhookURL)
            if let payload { tock["body"] = .object(payload) }
        }
        if let id { tock["idempotency_key"] = .string(id) }
        if case .recurring(let cron, let first, let last) = schedule {
            var fields: [String: JSONValue] = ["cron": .string(cron)]
            if let first {
                fields["start"] = .string(RFC3339.format(ns: first.saturatingMultiplied(by: 1_000_000_000)))
            }
            if let last { fields["end"] = .string(RFC3339.format(ns: last.saturatingMultiplied(by: 1_000_000_000))) }
            tock["schedule"] = .object(fields)
        }
        var spec: JobSpec
        do throws(FieldError) {
            spec = try JobRequest.parse(fields: tock, nowNs: nowNs, policy: policy, timerWithoutTarget: true)
        } catch {
            throw Self.renamed(error)
        }
        guard case .once(let atSeconds) = schedule else { return spec }
        let (dueAtNs, overflow) = atSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else {
            throw FieldError(
                field: "timestamp", message: "Invalid job data: invalid timestamp: \(atSeconds) is out of range")
        }
        spec.dueAtNs = dueAtNs
        return spec
    }

    /// `parse` then `jobSpec`: what `POST /jobs` does.
    public static func jobSpec(json: some Collection<UInt8>, nowNs: Int64, policy: SubmitPolicy = .init())
        throws(FieldError) -> JobSpec
    {
        try parse(json: json, nowNs: nowNs).jobSpec(nowNs: nowNs, policy: policy)
    }

    /// Tock's field names in an error from `JobRequest` become the ones this client sent.
    private static func renamed(_ error: FieldError) -> FieldError {
        let names = [
            "url": "webhook_url", "body": "payload", "idempotency_key": "id", "schedule.cron": "cron_expression",
            "schedule.start": "timestamp", "schedule.end": "last_date",
        ]
        guard let field = error.field, let theirs = names[field] else { return error }
        let message = error.message.replacingOccurrences(of: field, with: theirs)
        return FieldError(field: theirs, code: error.code, message: "Job validation failed: \(message)")
    }

    /// A string field; nil when absent, null or empty (Go cannot tell those apart).
    private static func string(_ fields: [String: JSONValue], _ name: String) throws(FieldError) -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty ? nil : text
        case let other?:
            throw FieldError(field: name, message: "Invalid request body: \(name) must be a string, not \(other.kind)")
        }
    }

    private static func time(_ fields: [String: JSONValue], _ name: String, nowNs: Int64) throws(FieldError)
        -> Int64?
    {
        let seconds: Int64
        if case .int(let count)? = fields[name] {
            seconds = count
        } else {
            guard let text = try string(fields, name) else { return nil }
            guard let parsed = ScheduledDBTimestamp.parseSeconds(text) else {
                throw FieldError(
                    field: name, message: "Invalid job data: invalid \(name): invalid timestamp format: \(text)")
            }
            seconds = parsed
        }
        return try ScheduledDBTimestamp.checked(seconds, field: name, nowNs: nowNs)
    }

    /// scheduled-db parses standard five-field cron (minute, hour, day of month, month, day of week). Until Tock
    /// evaluates cron itself, only the shape is checked, with the message scheduled-db's parser gives.
    private static func checkCronShape(_ expression: String) throws(FieldError) {
        let parts = expression.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard parts.count == 5 else {
            throw FieldError(
                field: "cron_expression",
                message: """
                    Job validation failed: invalid cron expression: expected exactly 5 fields, found \(parts.count): \
                    [\(parts.joined(separator: " "))]
                    """)
        }
    }
}
