import Hummingbird
import TockShard

extension Request {
    /// The body, or nil when it is longer than `limit` bytes: refused at once when `Content-Length` says so,
    /// else as soon as that many bytes have arrived, so an oversized body is never held whole nor parsed.
    public mutating func collectBody(within limit: Int) async -> ByteBuffer? {
        if let declared = headers[.contentLength].flatMap({ Int($0) }), declared > limit { return nil }
        return try? await collectBody(upTo: limit)
    }
}
