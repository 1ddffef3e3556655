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

/// Snapshots: when to take one, and turning a finished copy into the current snapshot.
extension DriverLoop {
    /// Starts copying the tables for a snapshot when one is asked for or the log has grown enough, unless a copy
    /// is under way. The copy runs beside the loop, which goes on applying; `finishCaptures` picks it up.
    mutating func startSnapshotIfDue() {
        guard capture == nil else { return }
        if let retryAt = captureRetryAt, clock.now < retryAt { return }
        let applied = node.appliedIndex
        let snapshotIndex = node.snapshot?.index ?? 0
        let configuration = driver.configuration
        let requested = !snapshotRequests.isEmpty || snapshotWanted || snapshotFileMissing
        guard
            requested || applied >= snapshotIndex + configuration.snapshotEvery
                || (appliedBytes >= configuration.snapshotLogBytes && applied > snapshotIndex)
        else { return }
        snapshotWanted = false
        guard applied > snapshotIndex || snapshotFileMissing else {
            // Nothing applied since the last snapshot: it is as current as a new one would be.
            for request in snapshotRequests { request.resume() }
            snapshotRequests = []
            return
        }
        captureWaiters = snapshotRequests
        snapshotRequests = []
        let driver = self.driver
        let path = driver.snapshotFiles.newPartialPath()
        capture = Task {
            do {
                driver.post(.snapshotCaptured(path, .success(try await driver.capture(into: path))))
            } catch {
                driver.post(.snapshotCaptured(path, .failure(error)))
            }
        }
    }

    /// Turns finished copies into snapshots: the core compacts to the copy's index, the file gets its name, and the
    /// snapshot's metadata is recorded (dropping the log entries it covers). A copy overtaken by a snapshot
    /// installed from the leader meanwhile is thrown away.
    mutating func finishCaptures() async throws {
        let finished = captured
        captured = []
        for (path, result) in finished {
            capture = nil
            let waiters = captureWaiters
            captureWaiters = []
            let index: UInt64
            switch result {
            case .success(let copied):
                index = copied
                captureRetryAt = nil
            case .failure(let error):
                driver.snapshotFiles.remove(path)
                driver.log.error("snapshot copy failed", metadata: ["error": "\(error)"])
                captureRetryAt = clock.now.advanced(by: .seconds(5))
                for waiter in waiters { waiter.resume(throwing: error) }
                continue
            }
            if let snapshot = node.compact(through: index) {
                // The loop waits for these (no proposal is answered meanwhile): logged, to see what it costs.
                let recordStart = ContinuousClock.now
                try await driver.snapshotFiles.publish(path, as: snapshot)
                try await driver.saveSnapshot(snapshot)
                pruneOwed = true
                driver.snapshotFiles.removeOlder(than: snapshot)
                appliedBytes = node.entries.reduce(0) { $0 + ($1.index <= node.appliedIndex ? $1.data.count : 0) }
                snapshotFileMissing = false
                driver.log.info(
                    "snapshot taken",
                    metadata: [
                        "index": "\(index)",
                        "record_ms": "\(Int((ContinuousClock.now - recordStart).inSeconds * 1000))",
                    ])
            } else if let current = node.snapshot, current.index == index, !driver.snapshotFiles.holds(current) {
                // The current snapshot had no file, and nothing was applied since: this copy is of exactly it.
                // Recording it again clears what an older version kept in the database instead.
                try await driver.snapshotFiles.publish(path, as: current)
                try await driver.saveSnapshot(current)
                snapshotFileMissing = false
                driver.log.info("snapshot file written", metadata: ["index": "\(index)"])
            } else {
                driver.snapshotFiles.remove(path)
            }
            for waiter in waiters { waiter.resume() }
        }
        publishStatus()
    }
}
