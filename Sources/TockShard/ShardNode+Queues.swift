import TockModel
import TockNATS

extension ShardNode {
    /// Each priority's stream and executor consumer as JetStream reports them now (the dashboard's queues); a
    /// priority JetStream cannot tell about (the broker away, a stream missing) is left out.
    public func queueDepths() async -> [Priority: QueueDepth] {
        guard let js = try? await link.jetStream(retry: .milliseconds(200), giveUp: { true }) else { return [:] }
        var depths: [Priority: QueueDepth] = [:]
        let now = clock.nowNs()
        for priority in Priority.allCases {
            depths[priority] = try? await QueueDepth.read(priority, from: js, nowNs: now)
        }
        return depths
    }
}
