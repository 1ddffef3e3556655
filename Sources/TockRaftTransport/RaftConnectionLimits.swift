/// How many inbound connections a transport serves at once, and how long a new connection may take over its
/// handshake.
public struct RaftConnectionLimits: Sendable {
    /// Connections beyond this are closed as soon as they are accepted (and counted as `.limit` refusals). nil:
    /// `perPeer` for each configured peer plus `spare` (a peer that reconnects briefly holds two).
    public var maxInbound: Int?
    public var perPeer = 4
    public var spare = 8
    /// A connection (either side) that has not finished its handshake by then is closed.
    public var handshakeTimeout: Duration = .seconds(5)

    public init(maxInbound: Int? = nil, handshakeTimeout: Duration = .seconds(5)) {
        self.maxInbound = maxInbound
        self.handshakeTimeout = handshakeTimeout
    }

    func maxInbound(peers: Int) -> Int {
        if let maxInbound { return maxInbound }
        return max(peers, 1) * perPeer + spare
    }
}
