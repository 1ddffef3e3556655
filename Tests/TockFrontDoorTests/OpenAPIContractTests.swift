import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import TockCore
import TockFrontDoor
import TockShard
import XCTest

/// `Schemas/openapi.json` is the contract of the HTTP API, as `ops/prometheus/metrics.txt` is the metrics': its
/// operations are exactly the routes a shard node registers, a router registers those not tagged `node`, and both
/// serve the document byte for byte at `GET /openapi.json`. A route added without documenting it, or documented
/// without being served, fails here.
final class OpenAPIContractTests: XCTestCase {
    static let documentURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Schemas/openapi.json")

    /// One operation, as the document and Hummingbird both spell it: `GET /v1/jobs/{id}`.
    struct Operation: Hashable, Comparable, CustomStringConvertible {
        var method: String
        var path: String

        var description: String { "\(method) \(path)" }

        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }
    }

    struct Document {
        var operations: Set<Operation> = []
        /// Tagged `node`: a shard node's own routes, which a router does not serve.
        var nodeOnly: Set<Operation> = []
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    var directory: URL!
    let logger: Logger = {
        var logger = Logger(label: "test.openapi")
        logger.logLevel = .critical
        return logger
    }()

    override func setUp() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-openapi-\(UUID().uuidString)")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func loadDocument() throws -> Document {
        let data = try Data(contentsOf: Self.documentURL)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(root["openapi"] as? String, "3.1.0")
        let paths = try XCTUnwrap(root["paths"] as? [String: [String: Any]], "paths")
        var document = Document()
        for (path, item) in paths {
            for (key, value) in item where Self.methods.contains(key) {
                let operation = Operation(method: key.uppercased(), path: path)
                document.operations.insert(operation)
                let tags = (value as? [String: Any])?["tags"] as? [String] ?? []
                if tags.contains("node") { document.nodeOnly.insert(operation) }
            }
        }
        return document
    }

    /// The API's routes: the dashboard's (`/ui`, HTML pages for people, `UIRoutes`) are not part of its contract.
    static func operations(of router: Router<TockRequestContext>) -> Set<Operation> {
        Set(
            router.routes.filter { !$0.path.description.hasPrefix("/ui") }
                .map { Operation(method: $0.method.rawValue, path: $0.path.description) })
    }

    func assertSame(
        _ served: Set<Operation>, _ documented: Set<Operation>, _ server: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let undocumented = served.subtracting(documented).sorted()
        let unserved = documented.subtracting(served).sorted()
        XCTAssert(
            undocumented.isEmpty, "\(server) serves routes Schemas/openapi.json lacks: \(undocumented)",
            file: file, line: line)
        XCTAssert(
            unserved.isEmpty, "Schemas/openapi.json has operations the \(server) does not serve: \(unserved)",
            file: file, line: line)
    }

    func testShardNodeServesExactlyTheDocumentedOperations() async throws {
        let document = try loadDocument()
        // Built as `tock shard` builds it, but never run: no NATS, no listener, just its SQLite file.
        let node = try await ShardNode(configuration: ShardConfiguration(dataDirectory: directory.path), logger: logger)
        let frontDoor = try FrontDoor(node: node, map: nil, logger: logger)
        let served = Self.operations(of: FrontDoorRoutes.shardNode(node, frontDoor: frontDoor))
        XCTAssert(served.contains(Operation(method: "GET", path: "/v1/jobs/{id}")), "paths as the document spells them")
        assertSame(served, document.operations, "shard node")
    }

    func testRouterServesTheDocumentedOperationsButANodesOwn() throws {
        let document = try loadDocument()
        XCTAssertFalse(document.nodeOnly.isEmpty)
        let served = Self.operations(of: FrontDoorRoutes.router(frontDoor: Self.routerFrontDoor(logger), name: "r1"))
        assertSame(served, document.operations.subtracting(document.nodeOnly), "router")
    }

    static func routerFrontDoor(_ logger: Logger) -> FrontDoor {
        // Nothing listens there: building and serving /openapi.json never forwards a call.
        FrontDoor(
            map: ShardMap(shards: [[.init(name: "n1", http: HostPort(host: "127.0.0.1", port: 9))]]), name: "r1",
            logger: logger)
    }

    /// Over real HTTP, from the router the way `tock router` runs it; the shard node's route is the same function.
    func testRouterServesTheDocumentByteForByte() async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = try FrontDoorServer.routerApplication(
            frontDoor: Self.routerFrontDoor(logger), address: HostPort(host: "127.0.0.1", port: 0), name: "r1",
            logger: logger, onServerRunning: { continuation.yield($0) })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        var reply: (status: UInt, contentType: String?, body: [UInt8])?
        if let port = await iterator.next() { reply = try await Self.get("http://127.0.0.1:\(port)/openapi.json") }
        server.cancel()
        _ = await server.result

        let (status, contentType, body) = try XCTUnwrap(reply, "the router did not start")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(contentType, "application/json")
        XCTAssert(
            body == Array(try Data(contentsOf: Self.documentURL)),
            "GET /openapi.json is not Schemas/openapi.json, which the EmbedOpenAPI plugin builds in")
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    static func get(_ url: String) async throws -> (status: UInt, contentType: String?, body: [UInt8]) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (response.status.code, response.headers.first(name: "content-type"), Array(buffer: body))
    }
}
