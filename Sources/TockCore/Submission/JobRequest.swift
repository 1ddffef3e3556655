import Foundation
import TockModel

/// Limits and defaults applied to a submitted job.
public struct SubmitPolicy: Sendable {
    public var maxBodyBytes = 256 * 1024
    public var defaultTimeoutNs: Int64 = 30_000_000_000
    public var maxTimeoutNs: Int64 = 900_000_000_000
    public var defaultMaxAttempts: UInt32 = 5
    public var maxMaxAttempts: UInt32 = 100
    public var maxIdempotencyKeyLength = 256
    public var maxURLBytes = 8 * 1024
    public var maxHeaders = 64
    public var maxHeaderNameBytes = 256
    public var maxHeaderValueBytes = 8 * 1024
    /// All names and values together.
    public var maxHeadersBytes = 32 * 1024

    public init() {}
}

/// Validation of a submitted job: the JSON a client sends over HTTP (or NATS) becomes a `JobSpec` whose `id` is
/// empty until the shard assigns one, or a `FieldError` naming the field at fault.
public enum JobRequest {}

extension JobRequest {
    static let knownFields: Set<String> = [
        "url", "method", "headers", "body", "run_at", "delay", "priority", "timeout", "max_attempts",
        "idempotency_key", "webhook_format", "schedule", "secret_headers", "callback_url", "failure_callback_url",
        "nats", "flow",
    ]
    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    /// Set by the executor or by HTTP itself; a job may not override them.
    static let reservedHeaders: Set<String> = [
        "tock-job-id", "tock-run", "tock-attempt", "tock-signature", "idempotency-key", "host", "content-length",
        "transfer-encoding", "connection", "webhook-id", "webhook-timestamp", "webhook-signature",
    ]

    /// Validates a JSON submit body. Due times in the past mean "now".
    public static func parse(json: some Collection<UInt8>, nowNs: Int64, policy: SubmitPolicy = .init())
        throws(FieldError) -> JobSpec
    {
        try parse(fields: try JSONValue.object(parsing: json), nowNs: nowNs, policy: policy)
    }

    /// `timerWithoutTarget`: a job with neither `url` nor `nats` is a timer (`Destination.timer`) rather than an
    /// error; scheduled-db's API asks for that, Tock's own does not.
    public static func parse(
        fields: [String: JSONValue], nowNs: Int64, policy: SubmitPolicy = .init(), timerWithoutTarget: Bool = false
    ) throws(FieldError) -> JobSpec {
        if let unknown = fields.keys.sorted().first(where: { !knownFields.contains($0) }) {
            throw FieldError(field: unknown, code: "unknown_field", message: "unknown field '\(unknown)'")
        }
        let destination: Destination
        var target = HTTPTarget.empty
        if let nats = fields["nats"], nats != .null {
            destination = .nats(try parseNATS(nats, fields: fields, policy: policy))
        } else if timerWithoutTarget, fields["url"] == nil || fields["url"] == .null {
            destination = .timer
        } else {
            destination = .webhook
            let url = try parseURL(fields["url"], policy: policy)
            var headers = try parseHeaders(fields["headers"], policy: policy)
            try markSecret(fields["secret_headers"], in: &headers)
            let body = try parseBody(fields["body"], headers: &headers, policy: policy)
            target = HTTPTarget(url: url, method: try parseMethod(fields["method"]), headers: headers, body: body)
        }
        var dueAtNs = try parseDue(runAt: fields["run_at"], delay: fields["delay"], nowNs: nowNs)
        var schedule: Schedule?
        if let value = fields["schedule"], value != .null {
            guard fields["run_at"] == nil, fields["delay"] == nil else {
                throw FieldError(
                    field: "schedule",
                    message: "give schedule for a recurring job, or run_at or delay "
                        + "for a one-time job, not both")
            }
            (schedule, dueAtNs) = try parseSchedule(value, nowNs: nowNs)
        }
        let priority = try parsePriority(fields["priority"])
        let timeoutNs = try parseTimeout(fields["timeout"], policy: policy)
        let maxAttempts = try parseMaxAttempts(fields["max_attempts"], policy: policy)
        let key = try parseIdempotencyKey(fields["idempotency_key"], policy: policy)
        let format = try parseWebhookFormat(
            fields["webhook_format"], method: target.method.isEmpty ? "POST" : target.method, body: fields["body"])
        return JobSpec(
            id: "", priority: priority, target: target,
            timeoutMs: UInt32(timeoutNs / 1_000_000), maxAttempts: maxAttempts, idempotencyKey: key,
            dueAtNs: dueAtNs, webhookFormat: format, schedule: schedule,
            callbackURL: try parseCallbackURL(fields["callback_url"], field: "callback_url", policy: policy),
            failureCallbackURL: try parseCallbackURL(
                fields["failure_callback_url"], field: "failure_callback_url",
                policy: policy),
            destination: destination, flow: try parseFlow(fields["flow"]))
    }

    static func string(_ value: JSONValue?, field: String) throws(FieldError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw FieldError(field: field, message: "\(field) must be a string, not \(other.kind)")
        }
    }

    static func parseURL(_ value: JSONValue?, field: String = "url", policy: SubmitPolicy) throws(FieldError)
        -> String
    {
        guard let text = try string(value, field: field), !text.isEmpty else {
            throw FieldError(field: field, code: "missing_field", message: "\(field) is required")
        }
        guard text.utf8.count <= policy.maxURLBytes else {
            throw FieldError(
                field: field, code: "too_large",
                message: "\(field) is longer than \(policy.maxURLBytes) bytes")
        }
        // URLComponents would percent-encode a CR, LF or NUL rather than refuse it; the URL is stored and shown as
        // given, so such a URL is refused here.
        guard HTTPFieldSyntax.isFieldValue(text), !text.contains(" "), let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            throw FieldError(field: field, message: "\(field) must be an absolute http or https URL")
        }
        return text
    }

    /// `callback_url`, `failure_callback_url`: optional, validated like `url`; "" when absent.
    static func parseCallbackURL(_ value: JSONValue?, field: String, policy: SubmitPolicy) throws(FieldError)
        -> String
    {
        guard let value, value != .null else { return "" }
        guard value != .string("") else {
            throw FieldError(field: field, message: "\(field) must be an absolute http or https URL")
        }
        return try parseURL(value, field: field, policy: policy)
    }

    static func parseMethod(_ value: JSONValue?) throws(FieldError) -> String {
        guard let text = try string(value, field: "method") else { return "POST" }
        let method = text.uppercased()
        guard methods.contains(method) else {
            throw FieldError(
                field: "method", message: "method must be one of \(methods.sorted().joined(separator: ", "))")
        }
        return method
    }

    /// `secret_headers`: names of `headers` (any case) whose values every read shows as `***`.
    static func markSecret(_ value: JSONValue?, in headers: inout [Header]) throws(FieldError) {
        switch value {
        case nil, .null?: return
        case .array(let names)?:
            for item in names {
                guard case .string(let name) = item else {
                    throw FieldError(field: "secret_headers", message: "secret_headers must be a list of header names")
                }
                let matches = headers.indices.filter { headers[$0].name.lowercased() == name.lowercased() }
                guard !matches.isEmpty else {
                    throw FieldError(field: "secret_headers", message: "'\(name)' is not one of the job's headers")
                }
                for index in matches { headers[index].secret = true }
            }
        case let other?:
            throw FieldError(
                field: "secret_headers", message: "secret_headers must be a list of header names, not \(other.kind)")
        }
    }

    static func parseHeaders(_ value: JSONValue?, policy: SubmitPolicy) throws(FieldError) -> [Header] {
        switch value {
        case nil, .null?: return []
        case .object(let object)?:
            guard object.count <= policy.maxHeaders else {
                throw FieldError(field: "headers", message: "at most \(policy.maxHeaders) headers")
            }
            var headers: [Header] = []
            for (name, headerValue) in object.sorted(by: { $0.key < $1.key }) {
                // Before any message quotes the name.
                guard name.utf8.count <= policy.maxHeaderNameBytes else {
                    throw FieldError(
                        field: "headers", code: "too_large",
                        message: "a header name is longer than \(policy.maxHeaderNameBytes) bytes")
                }
                guard HTTPFieldSyntax.isToken(name) else {
                    throw FieldError(field: "headers", message: "header name '\(name)' is not a valid HTTP token")
                }
                guard !reservedHeaders.contains(name.lowercased()) else {
                    throw FieldError(field: "headers", message: "header '\(name)' is set by Tock and cannot be given")
                }
                // Control characters would split the header (CR, LF) or truncate it on the wire (NUL).
                guard case .string(let text) = headerValue, HTTPFieldSyntax.isFieldValue(text) else {
                    throw FieldError(field: "headers", message: "header '\(name)' must be a single-line string")
                }
                headers.append(Header(name: name, value: text))
            }
            try checkSizes(of: headers, policy: policy)
            return headers
        case let other?:
            throw FieldError(field: "headers", message: "headers must be an object of strings, not \(other.kind)")
        }
    }

    /// Each name, each value and all of them together within the policy's limits.
    static func checkSizes(of headers: [Header], policy: SubmitPolicy) throws(FieldError) {
        var total = 0
        for header in headers {
            guard header.name.utf8.count <= policy.maxHeaderNameBytes else {
                throw FieldError(
                    field: "headers", code: "too_large",
                    message: "a header name is longer than \(policy.maxHeaderNameBytes) bytes")
            }
            guard header.value.utf8.count <= policy.maxHeaderValueBytes else {
                throw FieldError(
                    field: "headers", code: "too_large",
                    message: "header '\(header.name)' is longer "
                        + "than \(policy.maxHeaderValueBytes) bytes")
            }
            total += header.name.utf8.count + header.value.utf8.count
        }
        guard total <= policy.maxHeadersBytes else {
            throw FieldError(
                field: "headers", code: "too_large",
                message: "headers hold \(total) bytes; the limit is \(policy.maxHeadersBytes)")
        }
    }

    /// A string body is sent as is; a JSON object or array is sent as compact JSON with a JSON content type.
    static func parseBody(_ value: JSONValue?, headers: inout [Header], policy: SubmitPolicy)
        throws(FieldError) -> [UInt8]
    {
        let bytes: [UInt8]
        switch value {
        case nil, .null?: return []
        case .string(let s)?: bytes = Array(s.utf8)
        case .object?, .array?:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(value) else {
                throw FieldError(field: "body", message: "body could not be encoded")
            }
            bytes = Array(data)
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append(Header(name: "Content-Type", value: "application/json"))
            }
        case let other?:
            throw FieldError(field: "body", message: "body must be a string or a JSON object, not \(other.kind)")
        }
        guard bytes.count <= policy.maxBodyBytes else {
            throw FieldError(
                field: "body", code: "too_large",
                message: "body is \(bytes.count) bytes; the limit is \(policy.maxBodyBytes)")
        }
        return bytes
    }

    static func parseDue(runAt: JSONValue?, delay: JSONValue?, nowNs: Int64) throws(FieldError) -> Int64 {
        let runAtText = try string(runAt, field: "run_at")
        let delayText = try string(delay, field: "delay")
        if runAtText != nil, delayText != nil {
            throw FieldError(field: "run_at", message: "give run_at or delay, not both")
        }
        if let runAtText {
            guard let ns = RFC3339.parseNs(runAtText) else {
                throw FieldError(
                    field: "run_at", message: "run_at must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
            }
            return max(try TimeWindow.check(ns, field: "run_at", nowNs: nowNs), nowNs)
        }
        if let delayText {
            guard let ns = DurationText.parseNs(delayText) else {
                throw FieldError(field: "delay", message: "delay must be a duration such as 500ms, 30s, 5m or 1h30m")
            }
            return nowNs.saturatingAdding(try TimeWindow.checkDuration(ns, field: "delay"))
        }
        return nowNs
    }

    static func parsePriority(_ value: JSONValue?) throws(FieldError) -> Priority {
        guard let text = try string(value, field: "priority") else { return .normal }
        guard let priority = Priority(rawValue: text.lowercased()) else {
            throw FieldError(field: "priority", message: "priority must be one of critical, high, normal, low")
        }
        return priority
    }

    static func parseTimeout(_ value: JSONValue?, policy: SubmitPolicy) throws(FieldError) -> Int64 {
        guard let text = try string(value, field: "timeout") else { return policy.defaultTimeoutNs }
        guard let ns = DurationText.parseNs(text), ns >= 1_000_000, ns <= policy.maxTimeoutNs else {
            throw FieldError(
                field: "timeout",
                message: "timeout must be a duration from 1ms to \(DurationText.format(ns: policy.maxTimeoutNs))")
        }
        return ns
    }

    static func parseMaxAttempts(_ value: JSONValue?, policy: SubmitPolicy) throws(FieldError) -> UInt32 {
        switch value {
        case nil, .null?: return policy.defaultMaxAttempts
        case .int(let n)? where n >= 1 && n <= Int64(policy.maxMaxAttempts): return UInt32(n)
        default:
            throw FieldError(
                field: "max_attempts",
                message: "max_attempts must be an integer from 1 to \(policy.maxMaxAttempts)")
        }
    }

    static func parseIdempotencyKey(_ value: JSONValue?, policy: SubmitPolicy) throws(FieldError) -> String {
        guard let key = try string(value, field: "idempotency_key") else { return "" }
        guard !key.isEmpty, key.count <= policy.maxIdempotencyKeyLength, HTTPFieldSyntax.isFieldValue(key)
        else {
            throw FieldError(
                field: "idempotency_key",
                message: "idempotency_key must be 1 to \(policy.maxIdempotencyKeyLength) printable characters")
        }
        return key
    }

    /// scheduled-db's webhook is always a POST whose `data` is a JSON object, so a job asking for its shape with
    /// another method or a non-object body is refused here rather than sent differently from what it says.
    static func parseWebhookFormat(_ value: JSONValue?, method: String, body: JSONValue?) throws(FieldError)
        -> WebhookFormat
    {
        guard let text = try string(value, field: "webhook_format") else { return .tock }
        guard let format = WebhookFormat(rawValue: text.lowercased()) else {
            throw FieldError(field: "webhook_format", message: "webhook_format must be tock or scheduled-db")
        }
        guard format == .scheduledDB else { return format }
        guard method == "POST" else {
            throw FieldError(
                field: "method", message: "webhook_format scheduled-db always sends POST; method must be POST")
        }
        switch body {
        case nil, .null?, .object?: return format
        case let other?:
            throw FieldError(
                field: "body",
                message:
                    "with webhook_format scheduled-db, body must be a JSON object (sent as data), not \(other.kind)")
        }
    }
}
