import Hummingbird
import HummingbirdCore
import TockShard

/// `HTTPServerLimits` applied to a Hummingbird server.
extension HTTPServerLimits {
    /// Where the HTTP parser itself stops: the connection gets a bare 400 and is closed. Far enough above the
    /// limits of `RequestHeaderLimit` that a client meets those, with their JSON error, first.
    static let parserMaxHeaderBytes = 64 * 1024
    static let parserMaxHeaderFields = 500

    public var server: HTTPServerBuilder {
        .http1(
            configuration: .init(
                idleTimeout: .nanoseconds(idleTimeout.nanoseconds),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: Self.parserMaxHeaderBytes,
                    maxHeaderListSize: Self.parserMaxHeaderBytes,
                    maxHeaderFieldCount: Self.parserMaxHeaderFields)))
    }

    public func configuration(address: BindAddress, serverName: String) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: address, serverName: serverName,
            availableConnectionsDelegate: MaximumAvailableConnections(maxConnections))
    }
}
