import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import TockCore

/// A real HTTP webhook target that records every request. Paths choose the answer:
/// `/ok` → 200; `/fail/<n>/...` → 500 for the first n requests of each job, then 200; `/always-fail` → 500;
/// `/status/<code>` → that code, with a `Retry-After` header when the query has `retry-after=<value>`;
/// `/slow/<ms>` → 200 after that long; `/endless/<code>` → that code with a body that never ends;
/// `/hostile/<code>` → that code with 8 MB of control characters and invalid UTF-8; `/redirect` → 302 to `/ok`.
final class WebhookSink: Sendable {
    struct Received: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
        var bodyBytes: [UInt8]
        var receivedAtNs: Int64

        var jobID: String { headers["tock-job-id"] ?? "" }
    }

    private struct Concurrency {
        var now = 0
        var most = 0
    }

    private let received = Mutex<[Received]>([])
    private let concurrency = Mutex(Concurrency())
    private let task = Mutex<Task<Void, any Error>?>(nil)
    let port: Int

    private init(port: Int) { self.port = port }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start() async throws -> WebhookSink {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let box = Mutex<WebhookSink?>(nil)
        let router = Router()
        router.on("**", method: .post) { request, _ in
            guard let sink = box.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            return try await sink.receive(request)
        }
        var logger = Logger(label: "test.sink")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let runTask = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let sink = WebhookSink(port: port)
        box.withLock { $0 = sink }
        sink.task.withLock { $0 = runTask }
        return sink
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    var requests: [Received] { received.withLock { $0 } }

    func requests(forJob id: String) -> [Received] { requests.filter { $0.jobID == id } }

    /// The most requests the sink was answering at one time.
    var mostConcurrentRequests: Int { concurrency.withLock { $0.most } }

    private func receive(_ request: Request) async throws -> Response {
        concurrency.withLock {
            $0.now += 1
            $0.most = max($0.most, $0.now)
        }
        defer { concurrency.withLock { $0.now -= 1 } }
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        // HTTP/1's Host header arrives as the request's authority.
        if let authority = request.head.authority { headers["host"] = authority }
        let entry = Received(
            method: "\(request.method)", path: request.uri.path, headers: headers,
            body: String(buffer: body), bodyBytes: Array(buffer: body),
            receivedAtNs: SystemWallClock().nowNs())
        let parts = request.uri.path.split(separator: "/")
        // Only `/fail/<n>` answers by the job's count, and counting scans every call: done for every path, a
        // sink of 10,000 calls would spend seconds of CPU inside its lock.
        let counted = parts.first == "fail"
        let countForJob = received.withLock { all -> Int in
            all.append(entry)
            guard counted else { return 0 }
            return all.filter { $0.jobID == entry.jobID && !entry.jobID.isEmpty }.count
        }
        if parts.first == "always-fail" { return Response(status: .internalServerError) }
        if parts.count == 2, parts[0] == "status", let code = Int(parts[1]) {
            var headers = HTTPFields()
            if let retryAfter = request.uri.queryParameters.get("retry-after") { headers[.retryAfter] = retryAfter }
            return Response(status: .init(code: code), headers: headers)
        }
        if parts.count == 2, parts[0] == "endless", let code = Int(parts[1]) {
            return Response(
                status: .init(code: code),
                body: ResponseBody { writer in
                    let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 16 * 1024)
                    // Until the client hangs up (the write then throws) or the sink stops.
                    while !Task.isCancelled { try await writer.write(chunk) }
                    try await writer.finish(nil)
                })
        }
        if parts.count == 2, parts[0] == "hostile", let code = Int(parts[1]) {
            var body = ByteBuffer(bytes: Array("line one\nforged: log\r\u{1b}[31m\u{202e}".utf8) + [0xff, 0xc3, 0x00])
            body.writeRepeatingByte(UInt8(ascii: "y"), count: 8 << 20)
            return Response(status: .init(code: code), body: ResponseBody(byteBuffer: body))
        }
        if parts.first == "redirect" {
            return Response(status: .found, headers: [.location: "\(baseURL)/ok"])
        }
        if parts.count == 2, parts[0] == "slow", let ms = Int(parts[1]) {
            try await Task.sleep(for: .milliseconds(ms))
        }
        if parts.count >= 2, parts[0] == "fail", let failures = Int(parts[1]), countForJob <= failures {
            return Response(status: .internalServerError)
        }
        return Response(status: .ok)
    }
}
