import TockRaft
import XCTest

/// Messages from a peer decode into any numbers at all (see `WireFuzzTests`), and the Raft core steps them,
/// dropping those no correct peer sends (`Message.isWellFormed`). Whatever a peer claims (terms, indexes, hints,
/// entries, snapshots), a leader, a follower and a candidate step it without trapping, keep their commit index
/// within their log, settle, and send only well-formed messages themselves.
final class RaftMessageFuzzTests: XCTestCase {
    /// A node driven in memory: its `Ready` is taken and acknowledged at once, as if persisted and sent. Throws if
    /// it does not settle (a node that always has more to do would keep its driver spinning), or if it sends a
    /// message its peers would drop: a correct node's messages must all be well-formed.
    static func settle(_ node: inout RaftNode) throws {
        for _ in 0..<100 {
            guard node.hasReady else { return }
            let ready = node.ready()
            if let message = ready.messages.first(where: { !$0.isWellFormed }) {
                throw Fuzz.Failure("sent \(message), which is not well-formed")
            }
            node.advance(ready)
        }
        throw Fuzz.Failure("Ready never runs dry")
    }

    /// n1 leading alone, with n2 and n3 as learners it replicates to, and a few entries committed.
    static func leader(seed: UInt64) -> RaftNode {
        var node = RaftNode(
            configuration: RaftConfiguration(id: "n1", randomSeed: seed),
            bootstrap: Membership(voters: ["n1"], learners: ["n2", "n3"]))
        for _ in 0..<100 where node.role != .leader {
            node.tick()
            try? settle(&node)
        }
        for index in 0..<3 { _ = node.propose([UInt8(index)]) }
        try? settle(&node)
        return node
    }

    /// n2 of {n1, n2, n3}, following n1 with a few entries.
    static func follower(seed: UInt64) -> RaftNode {
        var node = RaftNode(
            configuration: RaftConfiguration(id: "n2", randomSeed: seed),
            bootstrap: Membership(voters: ["n1", "n2", "n3"]))
        let entries = (1...3).map { Entry(term: 1, index: $0, data: [UInt8($0)]) }
        node.step(Message(kind: .append, from: "n1", to: "n2", term: 1, entries: entries, commit: 2))
        try? settle(&node)
        return node
    }

    /// A message a peer might send to `node`: one in five with any numbers at all (mostly not well-formed), the
    /// others plausible (another node of the group, the current term, indexes near the log, entries only on an
    /// append and a snapshot only on a snapshot message) but for a field now and then.
    static func hostile(to node: RaftNode, _ random: inout SplitMix64) -> Message {
        var message = WireGenerators.message(&random)
        guard !random.oneIn(5) else { return message }
        func near(_ value: UInt64) -> UInt64 {
            random.oneIn(30) ? random.edgy() >> 2 : value &+ UInt64(random.within(0...4)) &- 2
        }
        /// `value`, mostly no more than `limit`.
        func atMost(_ limit: UInt64, _ value: UInt64) -> UInt64 { random.oneIn(20) ? value : min(value, limit) }
        message.to = random.oneIn(20) ? message.to : node.id
        message.from = random.oneIn(20) ? message.from : random.pick(["n1", "n2", "n3"].filter { $0 != node.id })
        message.term = node.term &+ UInt64(random.below(2))
        message.index = near(node.lastIndex)
        message.logTerm = atMost(message.term, near(node.lastTerm))
        message.commit = near(node.commitIndex)
        message.rejectHint = near(node.lastIndex)
        message.hintTerm = near(node.lastTerm)
        message.context >>= 1
        var index = random.oneIn(10) ? near(message.index &+ 1) : message.index &+ 1
        var term = message.logTerm
        message.entries =
            message.kind != .append && !random.oneIn(20)
            ? []
            : message.entries.map { entry in
                defer { index &+= random.oneIn(20) ? random.edgy() : 1 }
                term = atMost(message.term, max(term, near(term)))
                return Entry(term: term, index: index, kind: entry.kind, data: entry.data)
            }
        if message.kind == .snapshot || random.oneIn(20) {
            let snapshot = message.snapshot ?? WireGenerators.snapshot(&random)
            message.snapshot = Snapshot(
                index: near(node.lastIndex), term: atMost(message.term, near(node.lastTerm)),
                membership: random.oneIn(10)
                    ? snapshot.membership
                    : Membership(voters: ["n1", "n2", "n3"]))
        } else {
            message.snapshot = nil
        }
        return message
    }

    func testAnyMessageIsSteppedWithoutTrapping() {
        var wellFormed = 0
        let examples = 6000
        fuzz("messages", examples: examples) { random -> (role: String, seed: UInt64, messages: [Message]) in
            let role = random.pick(["leader", "follower", "candidate"])
            let seed = random.next()
            let node = Self.start(role, seed: seed)
            return (role, seed, (0..<random.within(1...6)).map { _ in Self.hostile(to: node, &random) })
        } property: { role, seed, messages in
            var node = Self.start(role, seed: seed)
            for message in messages {
                if message.isWellFormed { wellFormed += 1 }
                node.step(message)
                do {
                    try Self.settle(&node)
                } catch {
                    throw Fuzz.Failure("after \(message): \(error)")
                }
                guard node.commitIndex <= node.lastIndex else {
                    throw Fuzz.Failure(
                        "after \(message): commit \(node.commitIndex) past the log's end \(node.lastIndex)")
                }
            }
        }
        // Most messages must be well-formed, or the core would only ever drop them.
        if Fuzz.replaySeed == nil { XCTAssertGreaterThan(wellFormed, examples * Fuzz.multiplier) }
    }

    static func start(_ role: String, seed: UInt64) -> RaftNode {
        switch role {
        case "leader": return leader(seed: seed)
        case "follower": return follower(seed: seed)
        default:
            var node = follower(seed: seed)
            for _ in 0..<100 where node.role == .follower {
                node.tick()
                try? settle(&node)
            }
            return node
        }
    }
}
