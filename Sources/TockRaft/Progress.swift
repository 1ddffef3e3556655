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
    /// Replicate state: the last index of each append sent and not yet acknowledged, oldest first.
    var inflight: [UInt64] = []
    /// Most appends in flight before the leader waits for an answer (etcd's MaxInflightMsgs): a follower that is
    /// down or slow is not sent, nor has queued for it, more than this many appends' entries.
    let maxInflight: Int

    init(next: UInt64, maxInflight: Int = .max) {
        self.next = next
        self.maxInflight = maxInflight
    }

    var isPaused: Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflight.count >= maxInflight
        case .snapshot: true
        }
    }

    /// The follower holds everything up to `index`: the appends that carried it are no longer in flight.
    mutating func acknowledge(through index: UInt64) {
        if let first = inflight.firstIndex(where: { $0 > index }) {
            inflight.removeFirst(first)
        } else {
            inflight.removeAll()
        }
    }

    mutating func becomeProbe() {
        state = .probe
        probeSent = false
        inflight.removeAll()
    }
}
