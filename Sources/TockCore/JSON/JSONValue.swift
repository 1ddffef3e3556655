import Foundation

/// Any JSON value, decoded without a fixed schema so a validator can name exactly which field is wrong
/// and how, instead of reporting a Codable type mismatch.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// What a client sent, in words for an error message.
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue {
    /// JSON text as a value; nil when it is not valid JSON.
    public init?(parsing bytes: some Collection<UInt8>) {
        let parsed: JSONValue?
        if let contiguous = bytes.withContiguousStorageIfAvailable({ try? JSONParser.parse($0) }) {
            parsed = contiguous
        } else {
            parsed = Array(bytes).withUnsafeBufferPointer { try? JSONParser.parse($0) }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// A request body that must be a JSON object; otherwise a body-level `invalid_json` error (no field) with
    /// `notJSON` or `notObject` as its message, so each API keeps its own wording.
    public static func object(
        parsing bytes: some Collection<UInt8>, notJSON: String = "request body is not valid JSON",
        notObject: String = "request body must be a JSON object"
    ) throws(FieldError) -> [String: JSONValue] {
        guard let value = JSONValue(parsing: bytes) else {
            throw FieldError(field: nil, code: "invalid_json", message: notJSON)
        }
        guard case .object(let fields) = value else {
            throw FieldError(field: nil, code: "invalid_json", message: notObject)
        }
        return fields
    }
}
