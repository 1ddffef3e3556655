import Synchronization
import TockNATS

/// Runs started and not yet acked or handed back. JetStream redelivers a message it has not heard of for its ack
/// wait, so the executor's keep-alive loop tells it, every third of that wait, that each of these is still in
/// progress: a slow webhook, a wait for a host slot or a slow completion PubAck must not look abandoned. One loop
/// for all of them costs far less than a timer per run.
final class RunsInHand: Sendable {
    struct Token: Sendable { fileprivate let id: UInt64 }

    private struct Held {
        var message: JetStreamMessage
        /// Since when JetStream last heard of it.
        var touched: ContinuousClock.Instant
        var interval: Duration
    }

    private let runs = Mutex<[UInt64: Held]>([:])
    private let nextID = Atomic<UInt64>(0)

    var count: Int { runs.withLock { $0.count } }

    /// Holds `message`, last heard of by JetStream at `touched`, until `release`. A run that has already been
    /// silent for `interval` is touched at once.
    func hold(_ message: JetStreamMessage, touched: ContinuousClock.Instant, interval: Duration) -> Token {
        let id = nextID.add(1, ordering: .relaxed).newValue
        var held = Held(message: message, touched: touched, interval: interval)
        let now = ContinuousClock.now
        if now - touched >= interval {
            try? message.inProgress()
            held.touched = now
        }
        runs.withLock { $0[id] = held }
        return Token(id: id)
    }

    func release(_ token: Token) {
        runs.withLock { _ = $0.removeValue(forKey: token.id) }
    }

    /// Sends InProgress for every run JetStream has not heard of for its interval.
    func keepAlive() {
        let now = ContinuousClock.now
        let due = runs.withLock { runs -> [JetStreamMessage] in
            var due: [JetStreamMessage] = []
            for (id, held) in runs where now - held.touched >= held.interval {
                runs[id]!.touched = now
                due.append(held.message)
            }
            return due
        }
        for message in due { try? message.inProgress() }
    }
}
