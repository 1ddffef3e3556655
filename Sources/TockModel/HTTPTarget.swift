/// The webhook an executor calls for a run.
public struct HTTPTarget: Equatable, Sendable {
    public var url: String
    public var method: String
    public var headers: [Header]
    public var body: [UInt8]

    public init(url: String, method: String, headers: [Header], body: [UInt8]) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }
}

extension HTTPTarget {
    /// The target of a job whose destination is not a webhook.
    public static let empty = HTTPTarget(url: "", method: "", headers: [], body: [])
}
