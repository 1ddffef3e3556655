import AsyncHTTPClient
import Synchronization
import TockShard

/// The HTTP clients a process calls other Tock nodes with, one per purpose and trusted CA, made on first use and
/// kept for the life of the process (an `HTTPClient` must be shut down before it is released, and these serve
/// every call a node forwards).
public enum PeerHTTPClients {
    private static let clients = Mutex<[String: HTTPClient]>([:])

    /// The client named `purpose` that trusts `tls.peerClient`'s roots; `configure` sets its other settings the
    /// first time (a purpose must always be configured the same way).
    public static func client(
        _ purpose: String, tls: HTTPTLS, configure: (inout HTTPClient.Configuration) -> Void
    ) -> HTTPClient {
        let key = "\(purpose)\n\(tls.peerCAFile ?? "")"
        return clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration()
            configure(&configuration)
            configuration.tlsConfiguration = tls.peerClient
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }
}
