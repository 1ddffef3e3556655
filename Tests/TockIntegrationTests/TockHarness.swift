import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TockAuth
import TockCore
import TockExecutor
import TockFrontDoor
import TockNATS
import TockShard
import TockTestSupport
import XCTest

/// A whole Tock on real parts: nats-server with JetStream on a free port and a temporary store, the streams
/// applied from nats/tock.yaml's defaults, a shard (real SQLite file, real HTTP on a free port), an executor,
/// and a recording webhook sink.
final class TockHarness: @unchecked Sendable {
    // Mutated only from the test's own task, between awaits.
    let nats: NATSServerProcess
    let sink: WebhookSink
    let dataDirectory: URL
    let logger: Logger
    private(set) var node: ShardNode?
    private(set) var executor: Executor?
    private(set) var shardURL = ""
    private(set) var shardPort = 0
    private(set) var frontDoor: FrontDoor?
    private var shardTasks: [Task<Void, any Error>] = []
    private var executorTask: Task<Void, Never>?

    init(nats: NATSServerProcess, sink: WebhookSink) throws {
        self.nats = nats
        self.sink = sink
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        var logger = Logger(label: "test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TOCK_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        self.logger = logger
    }

    /// `configureExecutor` adjusts the executor's configuration after the harness's own settings.
    static func start(
        shard: Bool = true, executor: Bool = true, backoffBase: Duration = .milliseconds(200),
        configureExecutor: (inout ExecutorConfiguration) -> Void = { _ in }
    )
        async throws -> TockHarness
    {
        let nats = try NATSServerProcess.start()
        let connection = try NATSConnection.connect(url: nats.url)
        try JetStreamSetup.apply(QueueConfig(), to: try connection.jetStream())
        connection.close()
        let harness = try TockHarness(nats: nats, sink: try await WebhookSink.start())
        if shard { try await harness.startShard() }
        if executor { harness.startExecutor(backoffBase: backoffBase, configure: configureExecutor) }
        return harness
    }

    /// `configure` adjusts the shard's configuration after the harness's own settings.
    /// `keys` as `--auth-file` would give them; nil leaves the API open.
    func startShard(
        port: Int = 0, keys: APIKeys? = nil, clock: any WallClock = SystemWallClock(),
        configure: (inout ShardConfiguration) -> Void = { _ in }
    ) async throws {
        var configuration = ShardConfiguration(dataDirectory: dataDirectory.path)
        configuration.natsURL = nats.url
        configuration.httpPort = port
        configuration.submitPolicy.maxBodyBytes = 64 * 1024
        configure(&configuration)
        let node = try await ShardNode(configuration: configuration, clock: clock, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let frontDoor = try FrontDoor(node: node, map: nil, keys: keys, logger: logger)
        let app = try FrontDoorServer.shardApplication(node: node, frontDoor: frontDoor, logger: logger) {
            continuation.yield($0)
        }
        shardTasks = [
            Task { try await app.runService(gracefulShutdownSignals: []) },
            Task { try await node.run() },
        ]
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw CancellationError() }
        shardURL = "http://127.0.0.1:\(bound)"
        shardPort = bound
        self.node = node
        self.frontDoor = frontDoor
    }

    /// Serves the job API over NATS (`tock.submit`, …) from the running shard, as `tock shard` does; returns once
    /// the subjects are subscribed.
    func startNATSAPI() async throws {
        let frontDoor = try XCTUnwrap(frontDoor)
        let service = JobNATSService(frontDoor: frontDoor, natsURL: nats.url, name: "test-api", logger: logger)
        shardTasks.append(Task { try await service.run() })
        let connection = try NATSConnection.connect(url: nats.url)
        defer { connection.close() }
        _ = try await eventually("the NATS job API to answer") {
            try? await connection.request(
                subject: JobNATSService.getSubject, data: Array("nope".utf8),
                timeout: .milliseconds(500))
        }
    }

    func stopShard() async {
        for task in shardTasks { task.cancel() }
        for task in shardTasks { _ = await task.result }
        shardTasks = []
        node = nil
        frontDoor = nil
    }

    func startExecutor(backoffBase: Duration, configure: (inout ExecutorConfiguration) -> Void = { _ in }) {
        var configuration = ExecutorConfiguration()
        configuration.natsURL = nats.url
        configuration.backoff = RetryBackoff(base: backoffBase, max: .seconds(5))
        configuration.fetchExpires = .milliseconds(250)
        configuration.executorID = "test-executor"
        // The sink is on loopback, which the egress guard refuses unless allowed.
        configuration.allowEgress = .loopback
        configure(&configuration)
        let executor = Executor(configuration: configuration, logger: logger)
        self.executor = executor
        executorTask = Task { await executor.run() }
    }

    func shutdown() async {
        executorTask?.cancel()
        _ = await executorTask?.value
        await stopShard()
        sink.stop()
        nats.stop()
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    // MARK: HTTP API

    struct Reply {
        var status: Int
        var json: JSONValue
        var headers: HTTPHeaders = [:]
        /// The body as text, for answers that are not JSON (`/metrics`).
        var text: String = ""
        subscript(key: String) -> JSONValue? { json[key] }
    }

    func request(
        _ method: HTTPMethod, _ path: String, body: String? = nil, base: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: (base ?? shardURL) + path)
        request.method = method
        request.headers.add(contentsOf: headers)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 22)
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))) ?? .null
        return Reply(
            status: Int(response.status.code), json: json, headers: response.headers,
            text: String(buffer: bytes))
    }

    func submit(_ json: String, base: String? = nil) async throws -> Reply {
        try await request(.POST, "/v1/jobs", body: json, base: base)
    }

    func job(_ id: String, base: String? = nil) async throws -> Reply {
        try await request(.GET, "/v1/jobs/\(id)", base: base)
    }

    /// Waits until the job reaches `state` and returns it.
    func waitForState(
        _ id: String, _ state: String, within limit: Duration = .seconds(15), base: String? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws -> Reply {
        var last: Reply?
        return try await eventually(
            within: limit, "job \(id) to be \(state); last seen \(String(describing: last?.json))",
            file: file, line: line
        ) {
            let reply = try? await job(id, base: base)
            last = reply
            return reply?["state"]?.string == state ? reply : nil
        }
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var int: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }
}
