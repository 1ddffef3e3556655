/// One server at a time (Raft thesis §4.1): add a learner, promote it once caught up, or remove a node.
/// Carried in a `.configChange` entry and in force from the moment the entry is in a node's log.
public enum MembershipChange: Sendable, Equatable {
    case addLearner(NodeID)
    case promote(NodeID)
    case remove(NodeID)

    public func encoded() -> [UInt8] {
        switch self {
        case .addLearner(let id): [1] + Array(id.utf8)
        case .promote(let id): [2] + Array(id.utf8)
        case .remove(let id): [3] + Array(id.utf8)
        }
    }

    public init?(decoding bytes: [UInt8]) {
        guard let op = bytes.first, bytes.count > 1 else { return nil }
        let id = String(decoding: bytes.dropFirst(), as: UTF8.self)
        switch op {
        case 1: self = .addLearner(id)
        case 2: self = .promote(id)
        case 3: self = .remove(id)
        default: return nil
        }
    }

    /// The membership after this change, or nil if the change makes no sense for `membership`.
    public func applied(to membership: Membership) -> Membership? {
        var next = membership
        switch self {
        case .addLearner(let id):
            guard !membership.all.contains(id) else { return nil }
            next.learners.insert(id)
        case .promote(let id):
            guard membership.learners.contains(id) else { return nil }
            next.learners.remove(id)
            next.voters.insert(id)
        case .remove(let id):
            guard membership.all.contains(id), membership.voters != [id] else { return nil }
            next.voters.remove(id)
            next.learners.remove(id)
        }
        return next
    }
}
