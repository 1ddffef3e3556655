import Crypto
import Foundation

/// Signs webhook requests so a receiver can tell they come from this Tock and were not altered or replayed later.
///
/// Standard Webhooks (https://www.standardwebhooks.com/): `webhook-id`, `webhook-timestamp` (unix seconds) and
/// `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, one space-separated `v1,` entry
/// per active key, so a receiver that knows any one of them accepts the request during a rotation.
///
/// For receivers written against earlier versions, the first key also signs `Tock-Signature:
/// t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>`.
public struct WebhookSigner: Sendable, CustomStringConvertible {
    public static let idHeader = "webhook-id"
    public static let timestampHeader = "webhook-timestamp"
    public static let signatureHeader = "webhook-signature"
    public static let legacyHeader = "Tock-Signature"

    /// The raw bytes rather than `SymmetricKey`s, which are not `Sendable`; a key is made per signature (cheap).
    private let keys: [[UInt8]]

    /// The first key signs `Tock-Signature`; all sign `webhook-signature`. Nil when there is none, or one is empty.
    public init?(keys: [[UInt8]]) {
        guard !keys.isEmpty, keys.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.keys = keys
    }

    public var keyCount: Int { keys.count }

    public struct SecretsError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A secrets file: one secret a line, the signing one first; blank lines and `#` comments are skipped. A line
    /// `whsec_<base64>` (the Standard Webhooks form) is the base64-decoded key; any other line is the key's bytes
    /// as written (how earlier versions read their single secret). Errors never quote a secret.
    public static func parse(secrets contents: [UInt8]) throws(SecretsError) -> WebhookSigner {
        var keys: [[UInt8]] = []
        for (offset, rawLine) in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
        {
            let line = String(decoding: rawLine, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("whsec_") {
                guard let key = Data(base64Encoded: String(line.dropFirst("whsec_".count))), !key.isEmpty else {
                    throw SecretsError(description: "line \(offset + 1): not base64 after whsec_")
                }
                keys.append(Array(key))
            } else {
                keys.append(Array(line.utf8))
            }
        }
        guard let signer = WebhookSigner(keys: keys) else { throw SecretsError(description: "no secret in it") }
        return signer
    }

    /// The headers for message `id` sent at `timestampSeconds` with `body`.
    public func headers(id: String, timestampSeconds: Int64, body: [UInt8]) -> [(name: String, value: String)] {
        let signed = Array("\(id).\(timestampSeconds).".utf8) + body
        let signatures = keys.map { "v1,\(Data(Self.mac(key: $0, over: signed)).base64EncodedString())" }
        let legacy = Self.mac(key: keys[0], over: Array("\(timestampSeconds).".utf8) + body)
        return [
            (Self.idHeader, id),
            (Self.timestampHeader, "\(timestampSeconds)"),
            (Self.signatureHeader, signatures.joined(separator: " ")),
            (Self.legacyHeader, "t=\(timestampSeconds),v1=\(Self.hex(legacy))"),
        ]
    }

    private static func mac(key: [UInt8], over bytes: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: key)))
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Never the keys: a configuration printed in a log must not leak them.
    public var description: String { "WebhookSigner(\(keys.count) key(s), redacted)" }
}
