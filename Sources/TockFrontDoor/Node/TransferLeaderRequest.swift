import Foundation
import TockCore
import TockShard

/// The body of `POST /v1/cluster/transfer-leader`: `{"to": "n2"}`.
enum TransferLeaderRequest {
    static func parse(_ data: Data) throws -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw FieldError(field: nil, code: "invalid_json", message: "the body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { $0 != "to" }) {
            throw FieldError(field: unknown, code: "unknown_field", message: "unknown field \(unknown)")
        }
        guard let to = object["to"] as? String, !to.isEmpty else {
            throw FieldError(field: "to", code: "required", message: "to must name the node to hand leadership to")
        }
        return to
    }
}
