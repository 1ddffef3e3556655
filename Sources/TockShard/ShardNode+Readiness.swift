import TockCore
import TockNATS

extension ShardNode {
    /// Ready when a leader is known — a follower forwards job calls to it —, this node's NATS connection is up (the
    /// leader publishes and consumes through it, and a follower needs it the moment it leads), and its last write
    /// did not fail for want of disk space.
    public func readiness() async -> Readiness {
        let status = cluster
        let leader =
            status.leader.map { leader in
                Readiness.Check("leader", ok: true, leader == status.node ? "this node leads" : "\(leader) leads")
            }
            ?? Readiness.Check(
                "leader", ok: false, "no leader known: an election is under way or no quorum is reachable")
        let connected = await link.isConnected
        let nats = Readiness.Check(
            "nats", ok: connected,
            connected
                ? "connected"
                : "not connected to \(redactingNATSCredentials(configuration.natsURL))")
        let full = log.isStorageFull
        let storage = Readiness.Check(
            "storage", ok: !full, full ? "the disk is full: nothing is stored until space is freed" : "writable")
        return Readiness([leader, nats, storage])
    }
}
