import TockModel

extension JobRequest {
    static let natsFields: Set<String> = ["subject", "headers", "body"]
    /// Top-level fields that describe a webhook call, and mean nothing for a job that publishes a NATS message.
    static let webhookFields = ["url", "method", "headers", "secret_headers", "body", "webhook_format"]

    /// `"nats": {"subject": "orders.expire", "headers": {"name": "value"}, "body": "text" or JSON}`, given in place
    /// of `url`. The body is sent as the message's data, a JSON object or array as compact JSON with a
    /// `Content-Type: application/json` header (as for a webhook).
    static func parseNATS(_ value: JSONValue, fields: [String: JSONValue], policy: SubmitPolicy) throws(FieldError)
        -> NATSTarget
    {
        if let webhookField = webhookFields.first(where: { fields[$0] != nil && fields[$0] != .null }) {
            throw FieldError(
                field: webhookField,
                message: "\(webhookField) is for a webhook; a job with nats sends the subject, headers and body "
                    + "given in nats")
        }
        guard case .object(let object) = value else {
            throw FieldError(
                field: "nats", message: "nats must be an object with subject, headers and body, not \(value.kind)")
        }
        if let unknown = object.keys.sorted().first(where: { !natsFields.contains($0) }) {
            throw FieldError(
                field: "nats.\(unknown)", code: "unknown_field", message: "unknown field 'nats.\(unknown)'")
        }
        let subject = try string(object["subject"], field: "nats.subject") ?? ""
        if let problem = NATSTargetRules.problem(withSubject: subject) {
            throw FieldError(
                field: "nats.subject", code: subject.isEmpty ? "missing_field" : "invalid_field",
                message: "nats.subject \(problem)")
        }
        var headers = try parseNATSHeaders(object["headers"], policy: policy)
        let body: [UInt8]
        do throws(FieldError) {
            body = try parseBody(object["body"], headers: &headers, policy: policy)
        } catch {
            throw error.within("nats")
        }
        return NATSTarget(subject: subject, headers: headers, body: body)
    }

    static func parseNATSHeaders(_ value: JSONValue?, policy: SubmitPolicy) throws(FieldError) -> [Header] {
        switch value {
        case nil, .null?: return []
        case .object(let object)?:
            guard object.count <= policy.maxHeaders else {
                throw FieldError(field: "nats.headers", message: "at most \(policy.maxHeaders) headers")
            }
            var headers: [Header] = []
            for (name, headerValue) in object.sorted(by: { $0.key < $1.key }) {
                guard name.utf8.count <= policy.maxHeaderNameBytes else {
                    throw FieldError(
                        field: "nats.headers", code: "too_large",
                        message: "a header name is longer than \(policy.maxHeaderNameBytes) bytes")
                }
                if let problem = NATSTargetRules.problem(withHeaderName: name) {
                    throw FieldError(field: "nats.headers", message: problem)
                }
                guard case .string(let text) = headerValue, HTTPFieldSyntax.isFieldValue(text) else {
                    throw FieldError(field: "nats.headers", message: "header '\(name)' must be a single-line string")
                }
                headers.append(Header(name: name, value: text))
            }
            do throws(FieldError) {
                try checkSizes(of: headers, policy: policy)
            } catch {
                throw error.within("nats")
            }
            return headers
        case let other?:
            throw FieldError(
                field: "nats.headers", message: "nats.headers must be an object of strings, not \(other.kind)")
        }
    }

    /// A protobuf submit's NATS message, held to the rules a JSON one follows.
    static func validate(_ message: NATSTarget, policy: SubmitPolicy) throws(FieldError) -> NATSTarget {
        if let problem = NATSTargetRules.problem(withSubject: message.subject) {
            throw FieldError(field: "nats.subject", message: "nats.subject \(problem)")
        }
        guard message.headers.count <= policy.maxHeaders else {
            throw FieldError(field: "nats.headers", message: "at most \(policy.maxHeaders) headers")
        }
        for header in message.headers {
            _ = try parseNATSHeaders(.object([header.name: .string(header.value)]), policy: policy)
        }
        do throws(FieldError) {
            try checkSizes(of: message.headers, policy: policy)
        } catch {
            throw error.within("nats")
        }
        guard message.body.count <= policy.maxBodyBytes else {
            throw FieldError(
                field: "nats.body", code: "too_large",
                message: "nats.body is \(message.body.count) bytes; the limit is \(policy.maxBodyBytes)")
        }
        return message
    }
}

extension FieldError {
    /// The same error about a field of the object `parent`: `body` becomes `nats.body`, in the field and where the
    /// message names it first.
    func within(_ parent: String) -> FieldError {
        guard let field else { return self }
        var error = self
        error.field = "\(parent).\(field)"
        if let range = message.range(of: field) {
            error.message.replaceSubrange(range, with: "\(parent).\(field)")
        }
        return error
    }
}
