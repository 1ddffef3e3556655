import Foundation
import TockCore

/// The payload of `tock.get` and `tock.cancel`: a job id, as is or as `{"id": "…"}`. Whatever else arrives is a
/// 400 naming `id`; a well-formed id of no job is left to the shard, which answers 404.
enum JobIDPayload {
    /// Far above any job id (`<shard>-<26 characters>`); a larger payload is a 413 before it is read.
    static let maxBytes = 1024

    static func parse(_ data: [UInt8]) throws(FieldError) -> String {
        let id: String
        if data.first == UInt8(ascii: "{") {
            let fields = try JSONValue.object(
                parsing: data, notJSON: "the payload is not valid JSON",
                notObject: "the payload must be a job id, or {\"id\": \"…\"}")
            if let unknown = fields.keys.sorted().first(where: { $0 != "id" }) {
                throw FieldError(field: unknown, code: "unknown_field", message: "unknown field '\(unknown)'")
            }
            switch fields["id"] {
            case nil, .null?: throw missing
            case .string(let text)?: id = text
            case let other?: throw FieldError(field: "id", message: "id must be a string, not \(other.kind)")
            }
        } else {
            guard let text = String(validating: data, as: UTF8.self) else {
                throw FieldError(field: "id", message: "the payload is not UTF-8 text")
            }
            id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !id.isEmpty else { throw missing }
        guard HTTPFieldSyntax.isFieldValue(id) else {
            throw FieldError(field: "id", message: "id holds a control character")
        }
        return id
    }

    static let missing = FieldError(
        field: "id", code: "missing_field",
        message: "the payload must be a job id, or {\"id\": \"…\"}")
}
