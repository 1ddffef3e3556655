/// What an API key may do. `admin` includes the other two and sees every tenant's jobs.
public enum Scope: String, Sendable, CaseIterable, Comparable {
    case jobsRead = "jobs:read"
    case jobsWrite = "jobs:write"
    case admin

    public static func < (lhs: Scope, rhs: Scope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
