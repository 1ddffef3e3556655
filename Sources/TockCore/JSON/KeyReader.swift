/// Typed access to one config object's keys, with errors that name the dotted key path.
struct KeyReader {
    let object: [String: JSONValue]
    let path: String

    init(_ object: [String: JSONValue], path: String) {
        self.object = object
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func only(_ keys: Set<String>) throws(FieldError) {
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw FieldError(field: name(unknown), code: "unknown_field", message: "unknown key")
        }
    }

    func int(_ key: String, min: Int, max: Int) throws(FieldError) -> Int? {
        guard let value = object[key] else { return nil }
        guard case .int(let n) = value, n >= Int64(min), n <= Int64(max) else {
            throw FieldError(field: name(key), message: "must be an integer from \(min) to \(max)")
        }
        return Int(n)
    }

    func string(_ key: String, oneOf allowed: Set<String>) throws(FieldError) -> String? {
        guard let value = object[key] else { return nil }
        guard case .string(let s) = value, allowed.contains(s) else {
            throw FieldError(field: name(key), message: "must be one of \(allowed.sorted().joined(separator: ", "))")
        }
        return s
    }

    func duration(_ key: String) throws(FieldError) -> Int64? {
        guard let value = object[key] else { return nil }
        return try Self.duration(value, field: name(key))
    }

    /// A non-empty list of positive durations, e.g. `[1s, 10s, 1m]`.
    func durations(_ key: String) throws(FieldError) -> [Int64]? {
        guard let value = object[key] else { return nil }
        guard case .array(let items) = value, !items.isEmpty else {
            throw FieldError(field: name(key), message: "must be a non-empty list of durations such as [1s, 10s, 1m]")
        }
        var result: [Int64] = []
        for (offset, item) in items.enumerated() {
            let ns = try Self.duration(item, field: "\(name(key))[\(offset)]")
            guard ns > 0 else { throw FieldError(field: "\(name(key))[\(offset)]", message: "must be positive") }
            result.append(ns)
        }
        return result
    }

    func object(_ key: String) throws(FieldError) -> [String: JSONValue]? {
        guard let value = object[key] else { return nil }
        guard case .object(let o) = value else { throw FieldError(field: name(key), message: "must be a mapping") }
        return o
    }

    /// A duration is text such as "30s" or "7d"; a bare 0 (as YAML reads `0`) is zero.
    private static func duration(_ value: JSONValue, field: String) throws(FieldError) -> Int64 {
        if case .int(0) = value { return 0 }
        guard case .string(let s) = value, let ns = DurationText.parseNs(s) else {
            throw FieldError(field: field, message: "must be a duration such as \"30s\" or \"7d\"")
        }
        return ns
    }
}
