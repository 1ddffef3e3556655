import Foundation
import Synchronization
import TockCore

/// The executors a node has heard from lately (`ExecutorHeartbeat`), for the dashboard: each one's last heartbeat
/// and when it came. A heartbeat is a claim anyone allowed to publish there can make; it only ever reaches a page,
/// escaped, and never changes a job.
public final class ExecutorRoster: Sendable {
    public struct Entry: Sendable, Equatable {
        public var heartbeat: ExecutorHeartbeat
        public var heardAt: ContinuousClock.Instant
    }

    /// Enough for a large fleet; beyond it, new ids are not added until old ones are forgotten.
    static let maxExecutors = 1000
    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// Records a heartbeat's bytes; anything that is not one, or too large, is ignored.
    public func hear(_ data: [UInt8], at now: ContinuousClock.Instant = .now) {
        guard data.count <= ExecutorHeartbeat.maxBytes,
            let heartbeat = try? JSONDecoder().decode(ExecutorHeartbeat.self, from: Data(data)),
            !heartbeat.id.isEmpty, heartbeat.id.utf8.count <= 256
        else { return }
        entries.withLock { entries in
            guard entries[heartbeat.id] != nil || entries.count < Self.maxExecutors else { return }
            entries[heartbeat.id] = Entry(heartbeat: heartbeat, heardAt: now)
        }
    }

    /// The executors heard from within `ExecutorHeartbeat.forgottenAfter`, by id; older ones are forgotten.
    public func current(at now: ContinuousClock.Instant = .now) -> [Entry] {
        entries.withLock { entries in
            entries = entries.filter { now - $0.value.heardAt <= ExecutorHeartbeat.forgottenAfter }
            return entries.values.sorted { $0.heartbeat.id < $1.heartbeat.id }
        }
    }
}
