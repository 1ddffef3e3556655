import Foundation
import TockCore

/// scheduled-db's `POST /join` body, `{"node_id": "n4", "address": "HOST:PORT"}` (the new node's Raft address),
/// and Tock's own optional `"http_address": "HOST:PORT"` (or `https://HOST:PORT`), the new node's HTTP API address,
/// which Tock's nodes forward calls to and scheduled-db has no use for. Other fields are ignored, as Go's decoder
/// ignores them.
struct ScheduledDBJoinRequest: Equatable {
    var node: String
    var raft: HostPort
    var http: HostPort?

    /// The errors are scheduled-db's 400s: "Invalid request body" for what its decoder refuses (not a JSON object,
    /// a field of the wrong type), "node_id and address are required"; Tock adds one naming a malformed field.
    static func parse(_ data: Data) throws(ScheduledDBErrorView) -> ScheduledDBJoinRequest {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ScheduledDBErrorView("Invalid request body")
        }
        // Go decodes a null as the empty string; any other non-string fails to decode.
        func text(_ field: String) throws(ScheduledDBErrorView) -> String? {
            switch object[field] {
            case nil, is NSNull: return nil
            case let text as String: return text.isEmpty ? nil : text
            default: throw ScheduledDBErrorView("Invalid request body")
            }
        }
        let given = (node: try text("node_id"), raft: try text("address"), http: try text("http_address"))
        guard let node = given.node, let raftText = given.raft else {
            throw ScheduledDBErrorView("node_id and address are required")
        }
        // The separators of `--peers n1=HOST:PORT,…`, and of `/health`'s `<shard>/<node>`.
        guard !node.contains(where: { $0 == "," || $0 == "=" || $0 == "/" }) else {
            throw ScheduledDBErrorView("node_id must not contain ',', '=' or '/'")
        }
        guard let raft = HostPort(parsing: raftText), !raft.secure else {
            throw ScheduledDBErrorView("address must be HOST:PORT, the new node's Raft address")
        }
        var http: HostPort?
        if let httpText = given.http {
            guard let parsed = HostPort(parsing: httpText) else {
                throw ScheduledDBErrorView(
                    "http_address must be HOST:PORT or https://HOST:PORT, the new node's HTTP API address")
            }
            http = parsed
        }
        return ScheduledDBJoinRequest(node: node, raft: raft, http: http)
    }

    /// The new node's HTTP API address: `http_address`, or else the Raft address's host with `own`'s port and
    /// scheme — a guess that holds for a fleet whose nodes all serve HTTP on the same port (scheduled-db's own
    /// deployments do: every node on 8080).
    func httpAddress(guessedFrom own: HostPort) -> HostPort {
        http ?? HostPort(host: raft.host, port: own.port, secure: own.secure)
    }
}
