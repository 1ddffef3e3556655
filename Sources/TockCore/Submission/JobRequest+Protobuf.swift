import TockModel

extension JobRequest {
    /// Validates a protobuf submit (`tock.v1.JobSpec`) by the rules a JSON submit follows; errors name the JSON
    /// field that corresponds. Zero means "the default" for the timeout and attempts, and "now" for the due time.
    public static func validate(_ spec: JobSpec, nowNs: Int64, policy: SubmitPolicy = .init()) throws(FieldError)
        -> JobSpec
    {
        var spec = spec
        spec.id = ""
        switch spec.destination {
        case .webhook: try validateWebhook(&spec.target, policy: policy)
        case .nats(let message): spec.destination = .nats(try validate(message, policy: policy))
        case .timer: break
        }
        if !spec.callbackURL.isEmpty {
            spec.callbackURL = try parseURL(.string(spec.callbackURL), field: "callback_url", policy: policy)
        }
        if !spec.failureCallbackURL.isEmpty {
            spec.failureCallbackURL = try parseURL(
                .string(spec.failureCallbackURL), field: "failure_callback_url",
                policy: policy)
        }
        spec.timeoutMs =
            spec.timeoutMs == 0
            ? UInt32(policy.defaultTimeoutNs / 1_000_000)
            : UInt32(try parseTimeout(.string("\(spec.timeoutMs)ms"), policy: policy) / 1_000_000)
        spec.maxAttempts =
            spec.maxAttempts == 0
            ? policy.defaultMaxAttempts : try parseMaxAttempts(.int(Int64(spec.maxAttempts)), policy: policy)
        if !spec.idempotencyKey.isEmpty {
            spec.idempotencyKey = try parseIdempotencyKey(.string(spec.idempotencyKey), policy: policy)
        }
        if spec.dueAtNs != 0 { try TimeWindow.check(spec.dueAtNs, field: "run_at", nowNs: nowNs) }
        spec.dueAtNs = max(spec.dueAtNs, nowNs)
        if let flow = spec.flow { try validate(flow) }
        if let schedule = spec.schedule {
            var fields: [String: JSONValue] = [
                "cron": .string(schedule.cron), "overlap": .string(schedule.overlap.rawValue),
                "misfire": .string(schedule.misfire.rawValue),
            ]
            if !schedule.timeZone.isEmpty { fields["time_zone"] = .string(schedule.timeZone) }
            if let start = schedule.startAtNs { fields["start"] = .string(RFC3339.format(ns: start)) }
            if let end = schedule.endAtNs { fields["end"] = .string(RFC3339.format(ns: end)) }
            (spec.schedule, spec.dueAtNs) = try parseSchedule(.object(fields), nowNs: nowNs)
        }
        return spec
    }

    /// The rules `parseFlow` applies to JSON, for a flow that came in a protobuf `JobSpec`.
    public static func validate(_ flow: Flow) throws(FieldError) {
        if let problem = FlowRules.problem(withKey: flow.key) {
            throw FieldError(field: "flow.key", message: "flow.key \(problem)")
        }
        if let limits = flow.limits, let problem = FlowRules.problem(with: limits) {
            throw FieldError(field: "flow.\(problem.field)", message: "flow.\(problem.field) \(problem.message)")
        }
    }

    private static func validateWebhook(_ target: inout HTTPTarget, policy: SubmitPolicy) throws(FieldError) {
        target.url = try parseURL(.string(target.url), policy: policy)
        target.method = try parseMethod(target.method.isEmpty ? nil : .string(target.method))
        guard target.headers.count <= policy.maxHeaders else {
            throw FieldError(field: "headers", message: "at most \(policy.maxHeaders) headers")
        }
        for header in target.headers {
            _ = try parseHeaders(.object([header.name: .string(header.value)]), policy: policy)
        }
        try checkSizes(of: target.headers, policy: policy)
        guard target.body.count <= policy.maxBodyBytes else {
            throw FieldError(
                field: "body", code: "too_large",
                message: "body is \(target.body.count) bytes; the limit is \(policy.maxBodyBytes)")
        }
    }
}
