import TockExecutor
import TockModel
import TockWire

/// An executor's `GET /v1/status`, read by `tock status`: its id, runs in flight, and circuit breakers not closed.
struct ExecutorStatusView: Codable {
    struct Circuit: Codable {
        var host: String
        /// "open" or "half-open".
        var state: String
        var coolDownLeftSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case host, state
            case coolDownLeftSeconds = "cool_down_left_seconds"
        }
    }

    var id: String
    var inFlight: Int
    var openCircuits: [Circuit]

    enum CodingKeys: String, CodingKey {
        case id
        case inFlight = "in_flight"
        case openCircuits = "open_circuits"
    }

    init(_ executor: Executor) {
        id = executor.configuration.executorID
        inFlight = executor.stats.inFlight
        openCircuits = executor.stats.openCircuits.map { circuit in
            switch circuit.phase {
            case .open(let left):
                Circuit(
                    host: circuit.host, state: "open",
                    coolDownLeftSeconds: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
            case .halfOpen:
                Circuit(host: circuit.host, state: "half-open", coolDownLeftSeconds: nil)
            }
        }
    }
}
