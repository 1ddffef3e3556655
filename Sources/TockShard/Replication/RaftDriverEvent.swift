import Foundation
import Logging
import Synchronization
import TockConcurrency
import TockCore
import TockModel
import TockRaft
import TockRaftTransport
import TockSQLite
import TockWire

/// Requests to the loop, posted from any task.
enum DriverEvent: Sendable {
    case message(Message)
    case propose([UInt8], CheckedContinuation<ApplyResult, any Error>)
    case read(CheckedContinuation<Void, any Error>)
    case transfer(NodeID, CheckedContinuation<Void, any Error>)
    case changeMembership(MembershipChange, CheckedContinuation<ApplyResult, any Error>)
    case snapshotNow(CheckedContinuation<Void, any Error>)
    case matchIndex(NodeID, CheckedContinuation<UInt64?, any Error>)
    /// A snapshot copy finished (or failed); the file at the path is not yet a snapshot.
    case snapshotCaptured(String, Result<UInt64, any Error>)

    func fail(_ error: RaftDriverError) {
        switch self {
        case .message: break
        case .snapshotCaptured(let path, _):
            // The loop stopped before it could make this copy a snapshot.
            try? FileManager.default.removeItem(atPath: path)
        case .propose(_, let continuation), .changeMembership(_, let continuation): continuation.resume(throwing: error)
        case .read(let continuation), .transfer(_, let continuation), .snapshotNow(let continuation):
            continuation.resume(throwing: error)
        case .matchIndex(_, let continuation): continuation.resume(throwing: error)
        }
    }
}

final class DriverInbox: Sendable {
    private let state = Mutex<(events: [DriverEvent], closed: Bool)>(([], false))
    let wakeup = Wakeup()

    func post(_ event: DriverEvent) {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.events.append(event)
            return true
        }
        if accepted { wakeup.signal() } else { event.fail(.stopped) }
    }

    func take() -> [DriverEvent] {
        state.withLock { state in
            defer { state.events.removeAll(keepingCapacity: true) }
            return state.events
        }
    }

    /// Refuses every later event and returns the ones still waiting, to be answered.
    func close() -> [DriverEvent] {
        state.withLock { state in
            state.closed = true
            defer { state.events = [] }
            return state.events
        }
    }
}
