import Crypto
import Foundation

/// One entry of the auth file: a named key of a tenant with its scopes, stored as the SHA-256 of the key.
///
/// A key is 32 random bytes (256 bits), so a plain SHA-256 is enough to keep a stolen file useless: there is no
/// password to guess, and a slow hash would only slow every request down.
public struct APIKey: Sendable, Equatable {
    public static let prefix = "tock_"

    public var name: String
    public var tenant: String
    public var scopes: Set<Scope>
    /// Lowercase hex of SHA-256 over the key's UTF-8 bytes.
    public var sha256: String

    public init(name: String, tenant: String, scopes: Set<Scope>, sha256: String) {
        self.name = name
        self.tenant = tenant
        self.scopes = scopes
        self.sha256 = sha256
    }

    /// A new random key, `tock_` and 43 characters of base64url; shown once, never stored.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + base64
    }

    public static func hash(_ key: some StringProtocol) -> String {
        SHA256.hash(data: Array(key.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Names and tenants: 1 to 64 of `A-Z a-z 0-9 . _ -`, so they can appear in logs, metrics and YAML unquoted.
    public static func isValidName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default:
                    false
                }
            }
    }
}
