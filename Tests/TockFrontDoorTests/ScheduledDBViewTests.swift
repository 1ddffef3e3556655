import TockCore
import TockFrontDoor
import TockModel
import TockWire
import XCTest

@testable import TockShard

/// Tock's job row shown as scheduled-db's job, status and timestamps.
final class ScheduledDBViewTests: XCTestCase {
    func job(state: JobState = .scheduled, body: String = "") -> Job {
        Job(
            id: "0-01ABC", shard: 0, state: state, priority: .normal,
            target: HTTPTarget(url: "http://h/p", method: "POST", headers: [], body: Array(body.utf8)),
            timeoutMs: 1000, maxAttempts: 5, idempotencyKey: "", run: 1, dueAtNs: 1_735_120_800_999_000_000,
            createdAtNs: 1_735_000_000_000_000_000, updatedAtNs: 1_735_000_000_000_000_000, publishedAtNs: nil,
            streamSequence: nil, finishedAtNs: nil, cancelledAtNs: nil, attempts: 0, lastStatus: nil, lastError: nil,
            executorID: nil, webhookFormat: .scheduledDB)
    }

    func testEveryTockStateHasAStatusAndBack() {
        XCTAssertEqual(
            JobState.allCases.map { ScheduledDBStatus($0).rawValue },
            ["pending", "in_progress", "completed", "failed", "cancelled"])
        for state in JobState.allCases { XCTAssertEqual(ScheduledDBStatus(state).tockState, state) }
        XCTAssertNil(ScheduledDBStatus.timeout.tockState)
    }

    func testTheJobViewHasSecondsAndTheObjectPayload() {
        let view = ScheduledDBJobView(JobView(job(body: #"{"n":1}"#)))
        XCTAssertEqual(view.type, .unico)
        XCTAssertEqual(view.timestamp, 1_735_120_800, "rounded down to the second")
        XCTAssertEqual(view.created_at, 1_735_000_000)
        XCTAssertEqual(view.webhook_url, "http://h/p")
        XCTAssertEqual(view.payload, ["n": .int(1)])
        XCTAssertNil(view.cron_expression)
        XCTAssertNil(view.last_date)
    }

    func testABodyThatIsNotAnObjectIsNoPayload() {
        for body in ["", "hello", "[1, 2]", "{}", "42"] {
            XCTAssertNil(ScheduledDBJobView(JobView(job(body: body))).payload, body)
        }
    }

    func testANewJobHasNoExecutions() {
        let state = ScheduledDBExecutionState(JobView(job()))
        XCTAssertEqual(state.status, .pending)
        XCTAssertEqual(state.attempts, [])
        XCTAssertNil(state.first_attempt_at)
        XCTAssertNil(state.completed_at)
    }

    func testARetryingJobShowsItsLastFailedAttemptWithoutAnEnd() throws {
        var retrying = job(state: .published)
        retrying.publishedAtNs = 1_735_120_801_000_000_000
        retrying.attempts = 2
        retrying.lastError = "timed out after 1000 ms"
        let state = ScheduledDBExecutionState(JobView(retrying))
        XCTAssertEqual(state.status, .inProgress)
        let attempt = try XCTUnwrap(state.attempts.first)
        XCTAssertEqual(attempt.attempt_num, 2)
        XCTAssertEqual(attempt.status, .failed)
        XCTAssertEqual(attempt.start_time, 1_735_120_801)
        XCTAssertNil(attempt.end_time)
        XCTAssertNil(attempt.http_status)
        XCTAssertEqual(attempt.error_message, "timed out after 1000 ms")
    }

    func testTimestampsAreUnixSecondsRoundedDownAsInGo() {
        XCTAssertEqual(ScheduledDBTimestamp.seconds(ns: 1_999_999_999), 1)
        XCTAssertEqual(ScheduledDBTimestamp.seconds(ns: -1), -1)
        XCTAssertEqual(ScheduledDBTimestamp.seconds(ns: -1_000_000_000), -1)
        XCTAssertEqual(ScheduledDBTimestamp.seconds(ns: -1_000_000_001), -2)
        XCTAssertEqual(ScheduledDBTimestamp.parseSeconds("+12"), 12)
        XCTAssertEqual(ScheduledDBTimestamp.parseSeconds("1969-12-31 23:59:59"), -1)
        XCTAssertNil(ScheduledDBTimestamp.parseSeconds("2024-12-25"))
        XCTAssertNil(ScheduledDBTimestamp.parseSeconds("2024-12-25X10:00:00"))
        XCTAssertNil(ScheduledDBTimestamp.parseSeconds(" 12"))
    }
}
