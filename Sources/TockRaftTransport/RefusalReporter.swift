import Logging
import Synchronization

/// Counts every refused peer (through the transport's `onRefusal`) and logs it, at most once a minute per reason,
/// so that a stranger knocking at the port, or a misconfigured node retrying, cannot flood the log.
final class RefusalReporter: Sendable {
    static let logInterval: Duration = .seconds(60)

    private let logger: Logger
    private let onRefusal: @Sendable (RaftPeerRefusal.Reason) -> Void
    private let now: @Sendable () -> ContinuousClock.Instant
    private let logged = Mutex<[RaftPeerRefusal.Reason: (at: ContinuousClock.Instant, suppressed: Int)]>([:])

    init(
        logger: Logger, onRefusal: @escaping @Sendable (RaftPeerRefusal.Reason) -> Void,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.logger = logger
        self.onRefusal = onRefusal
        self.now = now
    }

    /// `remote`: the other side's address; `outbound`: whether this node opened the connection.
    func report(_ refusal: RaftPeerRefusal, remote: String, outbound: Bool) {
        onRefusal(refusal.reason)
        let instant = now()
        let suppressed: Int? = logged.withLock { logged in
            if let last = logged[refusal.reason], instant - last.at < Self.logInterval {
                logged[refusal.reason]?.suppressed += 1
                return nil
            }
            defer { logged[refusal.reason] = (instant, 0) }
            return logged[refusal.reason]?.suppressed ?? 0
        }
        guard let suppressed else { return }
        logger.warning(
            "raft peer refused",
            metadata: [
                "raft.remote": "\(remote)", "raft.refused.reason": "\(refusal.reason.rawValue)",
                "raft.refused.outbound": "\(outbound)", "error": "\(refusal.detail)",
                "raft.refused.unlogged": "\(suppressed)",
            ])
    }
}
