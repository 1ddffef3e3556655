import TockCore

extension JSONValue {
    /// The value as a table cell or a line of `tock status`: a string without quotes, a nested value as "…".
    var displayText: String {
        switch self {
        case .string(let s): s
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        case .bool(let b): "\(b)"
        case .null: "null"
        case .array, .object: "…"
        }
    }

    /// The field of an object, nil for any other value or a missing field.
    subscript(field: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields[field]
    }
}
