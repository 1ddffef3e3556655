import TockModel

/// What a flow key and its limits may be, checked at submit, on `PUT /v1/flows/{key}`, and again by the state
/// machine for a command that came another way.
///
/// A key is 1 to 128 characters of `A-Z a-z 0-9 . _ : @ -`: it is a path segment of `/v1/flows/{key}` and a label
/// value in the metrics, so it needs no escaping in either.
public enum FlowRules {
    public static let maxKeyBytes = 128
    public static let maxRateCount: UInt32 = 1_000_000
    public static let maxConcurrency: UInt32 = 100_000

    /// Why `key` may not name a flow, or nil.
    public static func problem(withKey key: String) -> String? {
        guard !key.isEmpty, key.utf8.count <= maxKeyBytes,
            key.utf8.allSatisfy({ byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
                    UInt8(ascii: "@"), UInt8(ascii: "-"):
                    true
                default: false
                }
            })
        else { return "must be 1 to \(maxKeyBytes) characters of A-Z a-z 0-9 . _ : @ -" }
        return nil
    }

    /// Why `limits` may not be a flow's, or nil, naming the field (`rate` or `concurrency`).
    public static func problem(with limits: FlowLimits) -> (field: String, message: String)? {
        if let rate = limits.rate {
            guard rate.count >= 1, rate.count <= maxRateCount,
                [FlowRate.second, FlowRate.minute, FlowRate.hour].contains(rate.periodNs)
            else { return ("rate", "must be N/s, N/m or N/h with N from 1 to \(maxRateCount)") }
        }
        if let concurrency = limits.concurrency, concurrency < 1 || concurrency > maxConcurrency {
            return ("concurrency", "must be an integer from 1 to \(maxConcurrency)")
        }
        return nil
    }

    /// `50/s`, `600/m`, `3/h`.
    public static func parseRate(_ text: String) -> FlowRate? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = UInt32(parts[0]), count >= 1, count <= maxRateCount else { return nil }
        let periodNs: Int64
        switch parts[1] {
        case "s": periodNs = FlowRate.second
        case "m": periodNs = FlowRate.minute
        case "h": periodNs = FlowRate.hour
        default: return nil
        }
        return FlowRate(count: count, periodNs: periodNs)
    }
}

extension JobRequest {
    static let flowFields: Set<String> = ["key", "rate", "concurrency"]

    /// `flow`: `{"key": "partner-a", "rate": "50/s", "concurrency": 4}`. A flow that gives `rate` or
    /// `concurrency` sets the key's limits to exactly those (a limit left out is none); one with only `key` leaves
    /// them as they are.
    static func parseFlow(_ value: JSONValue?, prefix: String = "flow") throws(FieldError) -> Flow? {
        switch value {
        case nil, .null?: return nil
        case .object(let fields)?:
            if let unknown = fields.keys.sorted().first(where: { !flowFields.contains($0) }) {
                throw FieldError(
                    field: "\(prefix).\(unknown)", code: "unknown_field", message: "unknown field '\(unknown)'")
            }
            guard let key = try string(fields["key"], field: "\(prefix).key") else {
                throw FieldError(field: "\(prefix).key", code: "missing_field", message: "\(prefix).key is required")
            }
            if let problem = FlowRules.problem(withKey: key) {
                throw FieldError(field: "\(prefix).key", message: "\(prefix).key \(problem)")
            }
            let givesLimits = [fields["rate"], fields["concurrency"]].contains { $0 != nil && $0 != .null }
            return Flow(key: key, limits: givesLimits ? try parseFlowLimits(fields, prefix: prefix) : nil)
        case let other?:
            throw FieldError(field: prefix, message: "\(prefix) must be an object with a key, not \(other.kind)")
        }
    }

    /// `rate` and `concurrency` of a flow object (a job's `flow`, or the body of `PUT /v1/flows/{key}`), each
    /// optional.
    public static func parseFlowLimits(_ fields: [String: JSONValue], prefix: String?) throws(FieldError)
        -> FlowLimits
    {
        func name(_ field: String) -> String { prefix.map { "\($0).\(field)" } ?? field }
        var limits = FlowLimits()
        if let text = try string(fields["rate"], field: name("rate")) {
            guard let rate = FlowRules.parseRate(text) else {
                throw FieldError(
                    field: name("rate"),
                    message: "\(name("rate")) must be N/s, N/m or N/h with N from 1 to \(FlowRules.maxRateCount)")
            }
            limits.rate = rate
        }
        switch fields["concurrency"] {
        case nil, .null?: break
        case .int(let n)? where n >= 1 && n <= Int64(FlowRules.maxConcurrency): limits.concurrency = UInt32(n)
        default:
            throw FieldError(
                field: name("concurrency"),
                message: "\(name("concurrency")) must be an integer from 1 to \(FlowRules.maxConcurrency)")
        }
        return limits
    }

    /// The body of `PUT /v1/flows/{key}`: `{"rate": "50/s", "concurrency": 4}`, either optional.
    public static func parseFlowLimits(json: some Collection<UInt8>) throws(FieldError) -> FlowLimits {
        let fields = try JSONValue.object(parsing: json)
        if let unknown = fields.keys.sorted().first(where: { $0 != "rate" && $0 != "concurrency" }) {
            throw FieldError(field: unknown, code: "unknown_field", message: "unknown field '\(unknown)'")
        }
        return try parseFlowLimits(fields, prefix: nil)
    }
}
