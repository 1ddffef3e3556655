/// What an executor tells every node of itself, every `interval`, on `Subjects.executorHeartbeats` (a plain publish,
/// JSON): the dashboard's overview lists the executors heard from lately, with their runs in flight and the hosts
/// whose circuit breakers are not closed.
public struct ExecutorHeartbeat: Codable, Sendable, Equatable {
    public static let interval: Duration = .seconds(2)
    /// An executor not heard from for this long is gone from the list.
    public static let forgottenAfter: Duration = .seconds(10)
    /// The most a node reads of one (a few hundred open circuits); a larger message is ignored.
    public static let maxBytes = 64 * 1024

    public struct Circuit: Codable, Sendable, Equatable {
        public var host: String
        /// `open` or `half-open`.
        public var state: String

        public init(host: String, state: String) {
            self.host = host
            self.state = state
        }
    }

    public var id: String
    public var inFlight: Int
    public var concurrency: Int
    public var openCircuits: [Circuit]

    enum CodingKeys: String, CodingKey {
        case id, concurrency
        case inFlight = "in_flight"
        case openCircuits = "open_circuits"
    }

    public init(id: String, inFlight: Int, concurrency: Int, openCircuits: [Circuit]) {
        self.id = id
        self.inFlight = inFlight
        self.concurrency = concurrency
        self.openCircuits = openCircuits
    }
}
