import Crypto

/// Signs webhook requests so a receiver can tell they come from this Tock and were not altered or replayed later.
///
/// Header (Stripe-like): `Tock-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body bytes>")>`.
/// The timestamp is inside the signed text, so a receiver that rejects old timestamps also rejects replays; the
/// `v1=` scheme name leaves room for another algorithm (or a second secret during a rotation) beside it.
public struct WebhookSigner: Sendable, CustomStringConvertible {
    public static let headerName = "Tock-Signature"

    /// The raw bytes rather than a `SymmetricKey`, which is not `Sendable`; a key is made per signature (cheap).
    private let secret: [UInt8]

    /// `secret` is used as is, byte for byte (no hex or base64 decoding). Must not be empty.
    public init?(secret: some Sequence<UInt8>) {
        let bytes = Array(secret)
        guard !bytes.isEmpty else { return nil }
        self.secret = bytes
    }

    /// The header value for a request sent at `timestampSeconds` with `body`.
    public func signature(timestampSeconds: Int64, body: [UInt8]) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: secret))
        mac.update(data: Array("\(timestampSeconds).".utf8))
        mac.update(data: body)
        return "t=\(timestampSeconds),v1=\(Self.hex(mac.finalize()))"
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

    /// Never the secret: a configuration printed in a log must not leak it.
    public var description: String { "WebhookSigner(secret: redacted)" }
}
