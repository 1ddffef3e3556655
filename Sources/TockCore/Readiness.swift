/// Whether a process can do its work now, apart from whether it is alive (`/healthz`): what `GET /readyz` answers
/// on shards, routers and executors, 200 when every check passes, else 503 with the failing checks' reasons.
public struct Readiness: Sendable, Codable, Equatable {
    public struct Check: Sendable, Codable, Equatable {
        public var name: String
        public var ok: Bool
        /// Why not, or what was found.
        public var detail: String

        public init(_ name: String, ok: Bool, _ detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public var ready: Bool
    public var checks: [Check]

    public init(_ checks: [Check]) {
        self.checks = checks
        ready = checks.allSatisfy(\.ok)
    }

    /// The HTTP status `/readyz` answers with.
    public var httpStatus: Int { ready ? 200 : 503 }
}
