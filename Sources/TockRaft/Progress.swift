/// The leader's view of one follower (or learner).
struct Progress: Sendable, Equatable {
    enum State: Sendable, Equatable {
        /// Unsure where the logs match: one append at a time until a response.
        case probe
        /// Logs match up to `match`: stream entries.
        case replicate
        /// Sent a snapshot at this index; waiting for the follower to install it.
        case snapshot(index: UInt64, sentTicksAgo: Int)
    }

    var match: UInt64 = 0
    var next: UInt64
    var state: State = .probe
    /// In probe state, an append is out and unanswered.
    var probeSent = false
    /// Heard from since the last check-quorum round.
    var recentActive = true

    init(next: UInt64) { self.next = next }

    var isPaused: Bool {
        switch state {
        case .probe: probeSent
        case .replicate: false
        case .snapshot: true
        }
    }
}
