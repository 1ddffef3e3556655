import Foundation
import TockCore
import TockShard

/// The body of `POST /v1/cluster/nodes`: `{"node": "n4", "raft": "HOST:PORT", "http": "HOST:PORT"}`.
struct AddNodeRequest {
    var node: String
    var raft: HostPort
    var http: HostPort

    static func parse(_ data: Data) throws -> AddNodeRequest {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw FieldError(field: nil, code: "invalid_json", message: "the body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !["node", "raft", "http"].contains($0) }) {
            throw FieldError(field: unknown, code: "unknown_field", message: "unknown field \(unknown)")
        }
        guard let node = object["node"] as? String, !node.isEmpty,
            !node.contains(where: { $0 == "," || $0 == "=" || $0 == "/" })
        else {
            throw FieldError(field: "node", code: "required", message: "node must name the node to add, e.g. n4")
        }
        func address(_ field: String) throws -> HostPort {
            guard let text = object[field] as? String, let address = HostPort(parsing: text) else {
                throw FieldError(field: field, code: "invalid_field", message: "\(field) must be HOST:PORT")
            }
            return address
        }
        return AddNodeRequest(node: node, raft: try address("raft"), http: try address("http"))
    }
}
