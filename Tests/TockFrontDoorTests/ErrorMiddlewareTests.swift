import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import TockCore
import TockFrontDoor
import TockShard
import XCTest

/// The errors a shard node's own routes throw, as a client gets them over real HTTP: a 503 carries `Retry-After`
/// like every 503 of the job API (Schemas/openapi.json requires it), and its body is the usual JSON error.
final class ErrorMiddlewareTests: XCTestCase {
    struct Unexpected: Error {}

    func testEveryUnavailableAnswerSaysWhenToRetry() async throws {
        let router = Router(context: TockRequestContext.self)
        router.middlewares.add(ErrorMiddleware())
        router.get("/stopped") { _, _ -> Response in throw RaftDriverError.stopped }
        router.get("/not-leader") { _, _ -> Response in throw RaftDriverError.notLeader(leader: "n2") }
        router.get("/anything") { _, _ -> Response in throw Unexpected() }
        router.get("/refused") { _, _ -> Response in throw RaftDriverError.membershipChangeRefused("busy") }
        var logger = Logger(label: "test.error-middleware")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        var answers: [String: (status: UInt, retryAfter: String?, body: String)] = [:]
        if let port = await iterator.next() {
            for path in ["/stopped", "/not-leader", "/anything", "/refused"] {
                let response = try await HTTPClient.shared.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 20)
                answers[path] = (
                    response.status.code, response.headers.first(name: "retry-after"), String(buffer: body)
                )
            }
        }
        server.cancel()
        _ = await server.result

        XCTAssertEqual(answers.count, 4, "the server did not start")
        for (path, code) in [("/stopped", "unavailable"), ("/not-leader", "not_leader"), ("/anything", "unavailable")] {
            let answer = try XCTUnwrap(answers[path])
            XCTAssertEqual(answer.status, 503, path)
            XCTAssertEqual(answer.retryAfter, "1", path)
            let error = try JSONDecoder().decode(ErrorView.self, from: Data(answer.body.utf8))
            XCTAssertEqual(error.error.code, code, path)
        }
        XCTAssertEqual(answers["/refused"]?.status, 409)
        XCTAssertNil(answers["/refused"]?.retryAfter)
    }
}
