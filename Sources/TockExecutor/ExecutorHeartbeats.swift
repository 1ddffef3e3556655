import Foundation
import TockCore
import TockNATS

extension Executor {
    /// This executor as the nodes' dashboards show it.
    var heartbeat: ExecutorHeartbeat {
        ExecutorHeartbeat(
            id: configuration.executorID, inFlight: stats.inFlight,
            concurrency: live.withLock { $0.concurrency },
            openCircuits: stats.openCircuits.map { circuit in
                switch circuit.phase {
                case .open: ExecutorHeartbeat.Circuit(host: circuit.host, state: "open")
                case .halfOpen: ExecutorHeartbeat.Circuit(host: circuit.host, state: "half-open")
                }
            })
    }

    /// Publishes `heartbeat` every `ExecutorHeartbeat.interval` until the executor stops; while the broker is away
    /// there is nobody to tell, and nothing waits for it to come back.
    func sendHeartbeats() async {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        while !isStopping {
            if await link.isConnected, let connection = try? await link.connection(),
                let data = try? encoder.encode(heartbeat)
            {
                try? connection.publish(subject: Subjects.executorHeartbeats, data: Array(data))
            }
            // In slices, so a drain ends without waiting out an interval.
            for _ in 0..<8 where !isStopping { try? await Task.sleep(for: ExecutorHeartbeat.interval / 8) }
        }
    }
}
