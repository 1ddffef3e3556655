import TockNATS
import XCTest

/// Request-reply as services stop, requests are cancelled, connections close and the server restarts.
extension RequestReplyTests {
    func testStopAnswersTheRequestInFlightThenNoResponders() async throws {
        let started = Latch()
        let release = Latch()
        let events = Recorder<String>()
        let service = try connection.serve(subject: "tock.get", queue: "shards") { request in
            if request.data == Array("slow".utf8) {
                started.open()
                await release.wait()
                events.append("handler done")
            }
            return NATSReply(data: Array("answer to \(String(decoding: request.data, as: UTF8.self))".utf8))
        }
        let connection = try XCTUnwrap(self.connection)
        let slow = Task {
            try await connection.request(subject: "tock.get", data: Array("slow".utf8), timeout: .seconds(20))
        }
        await started.wait()
        XCTAssertEqual(service.inFlight, 1)

        let stopping = Task {
            await service.stop()
            events.append("stopped")
        }
        // Interest is withdrawn while the slow handler still runs: new requests get no-responders.
        var lastError: (any Error)?
        let withdrawn = await eventually(timeout: .seconds(10)) {
            do {
                _ = try await connection.request(subject: "tock.get", data: Array("probe".utf8), timeout: .seconds(2))
                return false
            } catch {
                lastError = error
                return (error as? NATSError)?.isNoResponders == true
            }
        }
        XCTAssertTrue(withdrawn, "requests still routed to the stopping service: \(String(describing: lastError))")
        XCTAssertEqual(events.values, [], "stop returned before the in-flight handler finished")

        release.open()
        let answer = try await slow.value
        XCTAssertEqual(String(decoding: answer.data, as: UTF8.self), "answer to slow")
        await stopping.value
        XCTAssertEqual(events.values, ["handler done", "stopped"])
        XCTAssertEqual(service.inFlight, 0)

        do {
            _ = try await connection.request(subject: "tock.get", data: [], timeout: .seconds(5))
            XCTFail("request after stop was answered")
        } catch let error as NATSError {
            XCTAssertTrue(error.isNoResponders, "\(error)")
        }
        await service.stop()  // idempotent
    }

    func testCancelledRequestThrowsCancellationPromptly() async throws {
        let handling = Latch()
        let release = Latch()
        let service = try connection.serve(subject: "tock.stuck", queue: "shards") { _ in
            handling.open()
            await release.wait()
            return NATSReply()
        }
        let connection = try XCTUnwrap(self.connection)
        let started = ContinuousClock.now
        let request = Task { try await connection.request(subject: "tock.stuck", data: [], timeout: .seconds(30)) }
        await handling.wait()
        request.cancel()
        do {
            _ = try await request.value
            XCTFail("cancelled request succeeded")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
        release.open()
        await service.stop()
    }

    func testClosingTheConnectionFailsWaitingRequests() async throws {
        let client = try NATSConnection.connect(url: server.url, name: "client")
        let handling = Latch()
        let release = Latch()
        let service = try connection.serve(subject: "tock.wait", queue: "shards") { _ in
            handling.open()
            await release.wait()
            return NATSReply()
        }
        try await connection.flush()
        let request = Task { try await client.request(subject: "tock.wait", data: [], timeout: .seconds(30)) }
        await handling.wait()
        let start = ContinuousClock.now
        client.close()
        do {
            _ = try await request.value
            XCTFail("request on a closed connection succeeded")
        } catch let error as NATSError {
            XCTAssertTrue(error.isConnectionProblem, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
        do {
            _ = try await client.request(subject: "tock.wait", data: [], timeout: .seconds(1))
            XCTFail("request on a closed connection succeeded")
        } catch let error as NATSError {
            XCTAssertTrue(error.isConnectionProblem, "\(error)")
        }
        release.open()
        await service.stop()
    }

    func testServiceKeepsAnsweringAfterServerRestart() async throws {
        let service = try connection.serve(subject: "tock.status", queue: "shards") { _ in
            NATSReply(data: Array("up".utf8))
        }
        let before = try await connection.request(subject: "tock.status", data: [], timeout: .seconds(5))
        XCTAssertEqual(before.data, Array("up".utf8))

        try server.restart()
        let reconnected = await eventually { self.connection.isConnected }
        XCTAssertTrue(reconnected)

        let connection = try XCTUnwrap(self.connection)
        var after: NATSResponse?
        var lastError: (any Error)?
        let deadline = ContinuousClock.now + .seconds(10)
        while after == nil, ContinuousClock.now < deadline {
            do {
                after = try await connection.request(subject: "tock.status", data: [], timeout: .milliseconds(500))
            } catch {
                lastError = error
            }
        }
        let response = try XCTUnwrap(after, "no answer after restart: \(String(describing: lastError))")
        XCTAssertEqual(response.data, Array("up".utf8))
        await service.stop()
    }

    func testStopAfterConnectionClosedReturnsPromptly() async throws {
        let service = try connection.serve(subject: "tock.gone", queue: "shards") { _ in NATSReply() }
        connection.close()
        let start = ContinuousClock.now
        await service.stop(timeout: .seconds(5))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
    }

    func testStoppedServiceReleasesItsHandler() async throws {
        final class Captured: Sendable {}
        weak var weakCaptured: Captured?
        do {
            let captured = Captured()
            weakCaptured = captured
            let service = try connection.serve(subject: "tock.lifetime", queue: "shards") { _ in
                withExtendedLifetime(captured) { NATSReply() }
            }
            _ = try await connection.request(subject: "tock.lifetime", data: [], timeout: .seconds(5))
            await service.stop()
        }
        // cnats drops its (retained) reference in the on-complete callback, on its own thread.
        let released = await eventually { weakCaptured == nil }
        XCTAssertTrue(released, "the handler outlived its stopped service")
    }
}
