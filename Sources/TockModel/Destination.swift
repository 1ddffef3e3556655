/// Where a job's runs go when they are due.
public enum Destination: Equatable, Sendable {
    /// An HTTP call to the job's `target`.
    case webhook
    /// A message published to a NATS subject; the job's `target` is empty.
    case nats(NATSTarget)
    /// Nothing: each run completes at its time without a call (scheduled-db's jobs without a webhook); the job's
    /// `target` is empty.
    case timer

    /// The name the API, the job tables and the logs use.
    public var name: String {
        switch self {
        case .webhook: "webhook"
        case .nats: "nats"
        case .timer: "timer"
        }
    }
}
