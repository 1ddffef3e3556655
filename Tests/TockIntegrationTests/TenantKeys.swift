import TockAuth

/// The API keys of the tenant tests: a writer and a reader of team-a, a writer of team-b, and an admin.
enum TenantKeys {
    static let teamA = "tock_team_a_writer", teamAReader = "tock_team_a_reader", teamB = "tock_team_b_writer"
    static let admin = "tock_ops_admin"

    static var keys: APIKeys {
        APIKeys(keys: [
            APIKey(name: "a-writer", tenant: "team-a", scopes: [.jobsRead, .jobsWrite], sha256: APIKey.hash(teamA)),
            APIKey(name: "a-reader", tenant: "team-a", scopes: [.jobsRead], sha256: APIKey.hash(teamAReader)),
            APIKey(name: "b-writer", tenant: "team-b", scopes: [.jobsRead, .jobsWrite], sha256: APIKey.hash(teamB)),
            APIKey(name: "ops", tenant: "ops", scopes: [.admin], sha256: APIKey.hash(admin)),
        ])
    }
}
