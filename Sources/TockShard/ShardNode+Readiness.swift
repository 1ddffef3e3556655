import TockCore
import TockNATS

extension ShardNode {
    /// Ready when a leader is known — a follower forwards job calls to it — and this node's NATS connection is up:
    /// the leader publishes and consumes through it, and a follower needs it the moment it leads.
    public func readiness() async -> Readiness {
        let status = cluster
        let leader = status.leader.map { leader in
            Readiness.Check("leader", ok: true, leader == status.node ? "this node leads" : "\(leader) leads")
        } ?? Readiness.Check("leader", ok: false, "no leader known: an election is under way or no quorum is reachable")
        let connected = await link.isConnected
        let nats = Readiness.Check("nats", ok: connected, connected ? "connected"
            : "not connected to \(redactingNATSCredentials(configuration.natsURL))")
        return Readiness([leader, nats])
    }
}
