import Foundation
import Synchronization
import TockCore

/// The keys a node accepts, read from its `--auth-file` at start and again on `reload()` (SIGHUP). A reload
/// that fails keeps the keys it had, so a typo in the file never locks every client out.
public final class APIKeys: Sendable {
    public let path: String
    /// By SHA-256: a lookup by the hash of what the client sent, so comparing takes no time that depends on how
    /// much of a stored key the guess matched.
    private let byHash: Mutex<[String: APIKey]>

    public init(path: String) throws {
        self.path = path
        byHash = Mutex(try Self.read(path))
    }

    public init(keys: [APIKey]) {
        path = ""
        byHash = Mutex(Self.index(keys))
    }

    public var count: Int { byHash.withLock { $0.count } }

    /// Re-reads the file. Returns how many keys it now holds; throws, keeping the old keys, when the file cannot
    /// be read or parsed.
    @discardableResult
    public func reload() throws -> Int {
        let keys = try Self.read(path)
        byHash.withLock { $0 = keys }
        return keys.count
    }

    /// The caller an `Authorization` header names, or why it names none.
    public func authenticate(authorization: String?) -> Result<Caller, AuthFailure> {
        guard let authorization, !authorization.isEmpty else { return .failure(.missing) }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .failure(.notBearer) }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard let key = byHash.withLock({ $0[APIKey.hash(token)] }) else { return .failure(.unknownKey) }
        return .success(Caller(name: key.name, tenant: key.tenant, scopes: key.scopes, credential: authorization))
    }

    private static func read(_ path: String) throws -> [String: APIKey] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FieldError(
                field: nil, code: "unreadable",
                message: "cannot read the auth file \(path): \(error.localizedDescription)")
        }
        return index(try APIKeyFile.parse(yaml: text))
    }

    private static func index(_ keys: [APIKey]) -> [String: APIKey] {
        Dictionary(keys.map { ($0.sha256, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Why a request carries no usable key; every case is a 401.
public enum AuthFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case missing
    case notBearer
    case unknownKey

    public var description: String {
        switch self {
        case .missing: "this API needs `Authorization: Bearer <key>`"
        case .notBearer: "the Authorization header must be `Bearer <key>`"
        case .unknownKey: "the API key is not known (revoked, mistyped, or from another deployment)"
        }
    }
}
