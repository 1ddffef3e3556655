import Foundation
import Logging
import TockNATS
import XCTest

/// Request-reply over NATS (`serve` and `request`): headers both ways, queue groups, no-responders and timeouts,
/// fire-and-forget publishes, argument checks and `NATSLink`.
final class RequestReplyTests: NATSTestCase {
    func testRoundTripCarriesHeadersBothWays() async throws {
        let seen = Recorder<NATSRequest>()
        let service = try connection.serve(subject: "tock.echo", queue: "shards") { request in
            seen.append(request)
            return NATSReply(
                data: Array(request.data.reversed()),
                headers: [
                    (name: "Tock-Status", value: "ok"),
                    (name: "Served-Subject", value: request.subject),
                    (name: "Echo-Tenant", value: request.header("x-tenant") ?? "-"),
                ])
        }

        let response = try await connection.request(
            subject: "tock.echo", data: Array("hello".utf8),
            headers: [("X-Tenant", "acme"), ("Trace-Id", "t-1")], timeout: .seconds(5))

        XCTAssertEqual(String(decoding: response.data, as: UTF8.self), "olleh")
        XCTAssertEqual(response.header("tock-status"), "ok")
        XCTAssertEqual(response.header("TOCK-STATUS"), "ok")
        XCTAssertEqual(response.header("served-subject"), "tock.echo")
        XCTAssertEqual(response.header("echo-tenant"), "acme")
        XCTAssertNil(response.header("x-missing"))

        let request = try XCTUnwrap(seen.values.first)
        XCTAssertEqual(request.subject, "tock.echo")
        XCTAssertEqual(request.data, Array("hello".utf8))
        XCTAssertEqual(request.headers, ["x-tenant": "acme", "trace-id": "t-1"])
        XCTAssertEqual(request.header("Trace-ID"), "t-1")
        XCTAssertNotNil(request.replySubject)
        await service.stop()
    }

    func testEmptyPayloadAndNoHeaders() async throws {
        let service = try connection.serve(subject: "tock.empty", queue: "shards") { request in
            NATSReply(data: request.data)
        }
        let response = try await connection.request(subject: "tock.empty", data: [], timeout: .seconds(5))
        XCTAssertEqual(response.data, [])
        XCTAssertEqual(response.headers, [:])
        await service.stop()
    }

    func testQueueGroupMembersShareRequestsAndEachIsAnsweredOnce() async throws {
        let nodeA = try NATSConnection.connect(url: server.url, name: "node-a")
        let nodeB = try NATSConnection.connect(url: server.url, name: "node-b")
        defer {
            nodeA.close()
            nodeB.close()
        }
        let handled = Recorder<(node: String, id: Int)>()
        func handler(_ node: String) -> @Sendable (NATSRequest) async -> NATSReply {
            { request in
                let id = Int(String(decoding: request.data, as: UTF8.self))!
                handled.append((node, id))
                return NATSReply(data: request.data, headers: [(name: "Served-By", value: node)])
            }
        }
        let serviceA = try nodeA.serve(subject: "tock.submit", queue: "shards", handler: handler("a"))
        let serviceB = try nodeB.serve(subject: "tock.submit", queue: "shards", handler: handler("b"))
        try await nodeA.flush()
        try await nodeB.flush()

        let connection = try XCTUnwrap(self.connection)
        let responses = try await withThrowingTaskGroup(of: (Int, NATSResponse).self) { group in
            for id in 0..<200 {
                group.addTask {
                    (
                        id,
                        try await connection.request(
                            subject: "tock.submit", data: Array(String(id).utf8), timeout: .seconds(10))
                    )
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        XCTAssertEqual(responses.count, 200)
        for (id, response) in responses {
            XCTAssertEqual(String(decoding: response.data, as: UTF8.self), String(id))
        }
        let servedBy = Dictionary(grouping: responses, by: { $0.1.header("served-by") ?? "?" }).mapValues(\.count)
        XCTAssertEqual(Set(servedBy.keys), ["a", "b"], "\(servedBy)")
        XCTAssertGreaterThan(servedBy["a"] ?? 0, 0)
        XCTAssertGreaterThan(servedBy["b"] ?? 0, 0)
        XCTAssertEqual(handled.values.map(\.id).sorted(), Array(0..<200), "a request was handled twice or not at all")
        await serviceA.stop()
        await serviceB.stop()
    }

    func testRequestWithoutServiceFailsWithNoRespondersQuickly() async throws {
        let start = ContinuousClock.now
        do {
            _ = try await connection.request(subject: "tock.nobody", data: [1], timeout: .seconds(5))
            XCTFail("request without a service succeeded")
        } catch let error as NATSError {
            XCTAssertTrue(error.isNoResponders, "\(error)")
            XCTAssertFalse(error.isTimeout)
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertLessThan(elapsed, .seconds(1), "no-responders took \(elapsed)")
    }

    func testSlowHandlerMakesRequestTimeOut() async throws {
        let release = Latch()
        let service = try connection.serve(subject: "tock.slow", queue: "shards") { _ in
            await release.wait()
            return NATSReply()
        }
        let start = ContinuousClock.now
        do {
            _ = try await connection.request(subject: "tock.slow", data: [], timeout: .milliseconds(300))
            XCTFail("request to a stuck handler succeeded")
        } catch let error as NATSError {
            XCTAssertTrue(error.isTimeout, "\(error)")
            XCTAssertFalse(error.isNoResponders)
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(300))
        XCTAssertLessThan(elapsed, .seconds(2), "timeout took \(elapsed)")
        release.open()
        await service.stop()
    }

    func testPublishWithoutReplySubjectIsHandledAndReplyDropped() async throws {
        let seen = Recorder<NATSRequest>()
        let service = try connection.serve(subject: "tock.fire", queue: "shards") { request in
            seen.append(request)
            return NATSReply(data: [9])
        }
        try connection.publish(subject: "tock.fire", data: [1], headers: [(name: "K", value: "v")])
        // Same connection: the request below is delivered after the publish.
        let response = try await connection.request(subject: "tock.fire", data: [2], timeout: .seconds(5))
        XCTAssertEqual(response.data, [9])
        let handled = await eventually { seen.values.count == 2 }
        XCTAssertTrue(handled)
        let fired = try XCTUnwrap(seen.values.first { $0.data == [1] })
        XCTAssertNil(fired.replySubject)
        XCTAssertEqual(fired.header("k"), "v")
        await service.stop()
    }

    func testInvalidArgumentsAreRejected() async throws {
        XCTAssertThrowsError(
            try connection.serve(subject: "tock.x", queue: "shards", maxConcurrent: 0) { _ in NATSReply() })
        XCTAssertThrowsError(try connection.serve(subject: "tock.x", queue: "") { _ in NATSReply() })
        do {
            _ = try await connection.request(subject: "tock.x", data: [], timeout: .zero)
            XCTFail("zero timeout accepted")
        } catch {}
    }

    func testLinkServesOnceConnected() async throws {
        let link = NATSLink(url: server.url, name: "link", logger: .init(label: "test"))
        let service = try await link.serve(subject: "tock.link", queue: "shards") { request in
            NATSReply(data: request.data + [0])
        }
        let response = try await link.connection().request(subject: "tock.link", data: [7], timeout: .seconds(5))
        XCTAssertEqual(response.data, [7, 0])
        await service.stop()
        await link.close()
    }
}

/// Values appended from any thread or task.
final class Recorder<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Value] = []

    func append(_ value: Value) {
        lock.lock()
        stored.append(value)
        lock.unlock()
    }

    var values: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// Closed until `open`; `wait` suspends until then.
final class Latch: @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func open() {
        lock.lock()
        isOpen = true
        let waiting = waiters
        waiters = []
        lock.unlock()
        waiting.forEach { $0.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if isOpen {
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }
}

/// Counts concurrent holders and remembers the peak.
final class Gauge: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private var maximum = 0

    func enter() {
        lock.lock()
        current += 1
        maximum = max(maximum, current)
        lock.unlock()
    }

    func leave() {
        lock.lock()
        current -= 1
        lock.unlock()
    }

    var peak: Int {
        lock.lock()
        defer { lock.unlock() }
        return maximum
    }
}
