/// Who made a request, as its API key says: the tenant whose jobs it sees and what it may do.
public struct Caller: Sendable, Equatable {
    /// The key's name, for logs; never the key.
    public var name: String
    /// The tenant a submitted job belongs to. "" only for `open`: jobs submitted without authentication.
    public var tenant: String
    public var scopes: Set<Scope>
    /// The `Authorization` header value the call came with, sent on with it when a node forwards the call, so
    /// the node that acts authenticates the caller itself. nil when the API is open.
    public var credential: String?

    public init(name: String, tenant: String, scopes: Set<Scope>, credential: String?) {
        self.name = name
        self.tenant = tenant
        self.scopes = scopes
        self.credential = credential
    }

    /// Every call on a node started without `--auth-file`: an administrator of no tenant.
    public static let open = Caller(name: "open", tenant: "", scopes: [.admin], credential: nil)

    /// A request no authentication has passed: no scope, no tenant, sees nothing.
    public static let nobody = Caller(name: "nobody", tenant: "", scopes: [], credential: nil)

    public func allows(_ scope: Scope) -> Bool {
        scopes.contains(scope) || scopes.contains(.admin)
    }

    /// Whether a job of `tenant` exists for this caller at all: a job of another tenant is "not found", never
    /// "forbidden", so its id says nothing to a caller who may not see it.
    public func sees(tenant: String) -> Bool {
        if allows(.admin) { return true }
        return (allows(.jobsRead) || allows(.jobsWrite)) && tenant == self.tenant
    }
}
