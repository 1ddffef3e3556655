/// scheduled-db's answer to a join: `{"success": true, "message": "Node n4 successfully joined cluster"}`.
struct ScheduledDBJoinView: Codable, Sendable, Equatable {
    var success: Bool
    var message: String
}
