import TockTestSupport
import XCTest

/// How the executor treats each kind of answer: permanent failures end the job at once, retryable ones are
/// retried after the back-off or the target's longer `Retry-After`.
final class ResponseClassificationTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testNotFoundEndsFailedAfterExactlyOneAttempt() async throws {
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/status/404", "max_attempts": 5}"#)
        let id = try XCTUnwrap(created["id"]?.string)

        let done = try await tock.waitForState(id, "failed")
        XCTAssertEqual(done["attempts"]?.int, 1)
        XCTAssertEqual(done["last_status"]?.int, 404)
        XCTAssertTrue(done["last_error"]?.string?.contains("HTTP 404") ?? false, "\(done.json)")
        XCTAssertEqual(tock.sink.requests(forJob: id).count, 1)
        let stats = try XCTUnwrap(tock.executor?.stats)
        XCTAssertEqual(stats.failed, 1)
        XCTAssertEqual(stats.retried, 0)
    }

    /// The answer is hostile too: a body that never ends is read only as far as the error excerpt needs, so the
    /// attempt ends with the status, not with the timeout.
    func testAnEndlessAnswerIsCutAfterTheExcerpt() async throws {
        let created = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)/endless/500", "max_attempts": 1, "timeout": "15m"}"#)
        let id = try XCTUnwrap(created["id"]?.string)

        let done = try await tock.waitForState(id, "failed", within: .seconds(30))
        XCTAssertEqual(done["last_status"]?.int, 500)
        let error = try XCTUnwrap(done["last_error"]?.string)
        XCTAssertTrue(error.hasPrefix("HTTP 500: xxx"), error)
        XCTAssertLessThanOrEqual(error.utf8.count, 600, "the excerpt is bounded")
    }

    func testRedirectIsNotFollowedAndEndsFailedAtOnce() async throws {
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/status/302", "max_attempts": 5}"#)
        let id = try XCTUnwrap(created["id"]?.string)

        let done = try await tock.waitForState(id, "failed")
        XCTAssertEqual(done["attempts"]?.int, 1)
        XCTAssertEqual(done["last_status"]?.int, 302)
    }

    func testServiceUnavailableIsRetriedUntilMaxAttempts() async throws {
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/status/503", "max_attempts": 3}"#)
        let id = try XCTUnwrap(created["id"]?.string)

        let done = try await tock.waitForState(id, "failed")
        XCTAssertEqual(done["attempts"]?.int, 3)
        XCTAssertEqual(done["last_status"]?.int, 503)
        XCTAssertEqual(tock.sink.requests(forJob: id).map { $0.headers["tock-attempt"] }, ["1", "2", "3"])
        XCTAssertEqual(tock.executor?.stats.retried, 2)
    }

    func testRetryAfterLongerThanTheBackoffDelaysTheNextAttempt() async throws {
        // The harness's back-off is 200 ms; the target asks for 1 s.
        let created = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)/status/429?retry-after=1", "max_attempts": 2}"#)
        let id = try XCTUnwrap(created["id"]?.string)

        let done = try await tock.waitForState(id, "failed")
        XCTAssertEqual(done["attempts"]?.int, 2)
        XCTAssertEqual(done["last_status"]?.int, 429)
        let received = tock.sink.requests(forJob: id)
        XCTAssertEqual(received.count, 2)
        let gapMs = (received[1].receivedAtNs - received[0].receivedAtNs) / 1_000_000
        XCTAssertGreaterThanOrEqual(gapMs, 990, "Retry-After: 1 was not honoured")
    }
}
