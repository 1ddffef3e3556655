/// The one decision every front end (HTTP, NATS requests) makes before it serves a call: who the caller is, and
/// whether it may make the call.
public struct APIGuard: Sendable {
    /// nil: the API is open (no `--auth-file`), and every caller is `Caller.open`.
    public let keys: APIKeys?

    public init(keys: APIKeys?) {
        self.keys = keys
    }

    public var isOpen: Bool { keys == nil }

    /// The caller of a call with this `Authorization` value, or why it is refused. An `.open` call with keys
    /// configured gets `Caller.nobody`: it is served, but sees no jobs.
    public func admit(authorization: String?, to access: Access) -> Result<Caller, Denial> {
        guard let keys else { return .success(.open) }
        if access == .open { return .success(.nobody) }
        switch keys.authenticate(authorization: authorization) {
        case .failure(let failure):
            return .failure(.unauthenticated(failure))
        case .success(let caller):
            if case .scope(let scope) = access, !caller.allows(scope) {
                return .failure(.forbidden(key: caller.name, lacking: scope))
            }
            return .success(caller)
        }
    }
}

/// A refused call: 401 without a known key, 403 with a key that lacks the scope.
public enum Denial: Error, Sendable, Equatable, CustomStringConvertible {
    case unauthenticated(AuthFailure)
    case forbidden(key: String, lacking: Scope)

    public var status: Int {
        switch self {
        case .unauthenticated: 401
        case .forbidden: 403
        }
    }

    public var code: String {
        switch self {
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        }
    }

    public var description: String {
        switch self {
        case .unauthenticated(let failure): failure.description
        case .forbidden(let key, let scope): "the key \(key) does not have the scope \(scope.rawValue) this call needs"
        }
    }
}
