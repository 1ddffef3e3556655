import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import TockCore
import TockFrontDoor
import TockShard
import TockTestSupport
import XCTest

/// The API over HTTPS with a throwaway CA: a client that trusts the CA is served, plain HTTP and a client that
/// trusts another CA are not, and a router reaches an `https://` shard node when it trusts the CA.
final class HTTPSTests: XCTestCase {
    private var tock: TockHarness?
    private var certificates: TestCertificates?
    private var clients: [HTTPClient] = []
    private var tasks: [Task<Void, any Error>] = []

    override func tearDown() async throws {
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        for client in clients { try? await client.shutdown() }
        await tock?.shutdown()
    }

    /// A shard node serving HTTPS with the test CA's certificate, and an executor.
    private func startTLSShard() async throws -> (TockHarness, TestCertificates) {
        let certificates = try TestCertificates()
        self.certificates = certificates
        let tls = try HTTPTLS(
            certificateFile: certificates.certificateFile, keyFile: certificates.keyFile,
            caFile: certificates.caFile)
        let tock = try await TockHarness.start(shard: false)
        self.tock = tock
        try await tock.startShard { $0.httpTLS = tls }
        return (tock, certificates)
    }

    private func client(trusting caFile: String?) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2)))
        configuration.connectionPool.retryConnectionEstablishment = false
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
        configuration.tlsConfiguration = tls
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        clients.append(client)
        return client
    }

    private func post(_ url: String, _ json: String, with client: HTTPClient) async throws -> (Int, JSONValue) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
        return (Int(response.status.code), json)
    }

    func testTheShardServesHTTPSOnlyToClientsThatTrustItsCA() async throws {
        let (tock, certificates) = try await startTLSShard()
        let base = "https://127.0.0.1:\(tock.shardPort)"
        let job = #"{"url": "\#(tock.sink.baseURL)/ok"}"#

        let (status, json) = try await post(base + "/v1/jobs", job, with: try client(trusting: certificates.caFile))
        XCTAssertEqual(status, 201, "\(json)")
        let id = try XCTUnwrap(json["id"]?.string)
        _ = try await tock.waitForState(
            id, "succeeded", over: try client(trusting: certificates.caFile),
            at: base)

        do {
            let (plain, _) = try await post(
                "http://127.0.0.1:\(tock.shardPort)/v1/jobs", job,
                with: try client(trusting: nil))
            XCTFail("plain HTTP to the TLS port was answered with \(plain)")
        } catch {}
        do {
            let (untrusted, _) = try await post(
                base + "/v1/jobs", job,
                with: try client(trusting: certificates.otherCAFile))
            XCTFail("a client trusting another CA was answered with \(untrusted)")
        } catch {}
        XCTAssertEqual(tock.sink.requests.count, 1, "only the trusted client's job ran")
    }

    func testARouterReachesAnHTTPSShardOnlyWhenItTrustsTheCA() async throws {
        let (tock, certificates) = try await startTLSShard()
        let node = try XCTUnwrap(tock.node)
        let map = ShardMap(shards: [
            [
                .init(
                    name: node.configuration.cluster.nodeID,
                    http: HostPort(host: "127.0.0.1", port: tock.shardPort, secure: true))
            ]
        ])
        let job = #"{"url": "\#(tock.sink.baseURL)/ok"}"#
        let plainClient = try client(trusting: nil)

        for (caFile, trusted) in [(certificates.caFile, true), (certificates.otherCAFile, false)] {
            let tls = try HTTPTLS(certificateFile: nil, keyFile: nil, caFile: caFile)
            let frontDoor = FrontDoor(map: map, name: "r-\(trusted)", tls: tls, logger: tock.logger)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let app = try FrontDoorServer.routerApplication(
                frontDoor: frontDoor, address: HostPort(host: "127.0.0.1", port: 0), name: "r-\(trusted)",
                logger: tock.logger, onServerRunning: { continuation.yield($0) })
            tasks.append(Task { try await app.runService(gracefulShutdownSignals: []) })
            var iterator = ports.makeAsyncIterator()
            let bound = await iterator.next()
            let port = try XCTUnwrap(bound)

            let (status, json) = try await post("http://127.0.0.1:\(port)/v1/jobs", job, with: plainClient)
            if trusted {
                XCTAssertEqual(status, 201, "\(json)")
                _ = try await tock.waitForState(
                    try XCTUnwrap(json["id"]?.string), "succeeded",
                    over: try client(trusting: certificates.caFile),
                    at: "https://127.0.0.1:\(tock.shardPort)")
            } else {
                XCTAssertEqual(status, 503, "a router that does not trust the shard's certificate: \(json)")
            }
        }
        XCTAssertEqual(tock.sink.requests.count, 1)
    }
}

extension TockHarness {
    /// `waitForState` with a given client and base URL (an HTTPS shard).
    func waitForState(_ id: String, _ state: String, over client: HTTPClient, at url: String)
        async throws -> JSONValue
    {
        try await eventually("job \(id) to be \(state)") {
            let request = HTTPClientRequest(url: url + "/v1/jobs/\(id)")
            let response = try? await client.execute(request, timeout: .seconds(5))
            guard let response, let body = try? await response.body.collect(upTo: 1 << 20),
                let json = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))
            else { return nil }
            return json["state"]?.string == state ? json : nil
        }
    }
}
