import TockCore
import TockModel
import TockWire
import XCTest

@testable import TockShard

final class CompletionCheckTests: XCTestCase {
    let now: Int64 = 1_767_225_600_000_000_000

    var completion: Completion {
        Completion(
            jobID: "2-01M83VB0PYJMTQ8CWMCAXSQF5W", run: 1, shard: 2, outcome: .failed, httpStatus: 500,
            attempts: 3, startedAtNs: now - 1_000_000, finishedAtNs: now, executorID: "exec-a",
            error: "HTTP 500: boom")
    }

    func testACompletionAnExecutorSendsPasses() throws {
        XCTAssertEqual(try CompletionCheck.check(completion, shard: 2, nowNs: now), completion)
        var noAnswer = completion
        noAnswer.httpStatus = 0
        noAnswer.outcome = .gaveUp
        noAnswer.error = "timed out after 30000 ms"
        XCTAssertEqual(try CompletionCheck.check(noAnswer, shard: 2, nowNs: now), noAnswer)
    }

    func testRefusedCompletions() {
        let cases: [(String, MessageRejection, String?, (inout Completion) -> Void)] = [
            ("another shard's completion", .subject, nil, { $0.shard = 3 }),
            ("a job id of another shard", .invalid, "job_id", { $0.jobID = "3-01M83VB0PYJMTQ8CWMCAXSQF5W" }),
            ("a job id that is no Tock id", .invalid, "job_id", { $0.jobID = "order-1" }),
            ("an empty job id", .invalid, "job_id", { $0.jobID = "" }),
            ("run 0", .invalid, "run", { $0.run = 0 }),
            ("0 attempts", .invalid, "attempts", { $0.attempts = 0 }),
            ("status -1", .invalid, "http_status", { $0.httpStatus = -1 }),
            ("status 99", .invalid, "http_status", { $0.httpStatus = 99 }),
            ("status 1000", .invalid, "http_status", { $0.httpStatus = 1000 }),
            ("status 70000", .invalid, "http_status", { $0.httpStatus = 70000 }),
            ("status Int32.min", .invalid, "http_status", { $0.httpStatus = .min }),
            ("finished at Int64.min", .invalid, "finished_at_ns", { $0.finishedAtNs = .min }),
            ("finished at Int64.max", .invalid, "finished_at_ns", { $0.finishedAtNs = .max }),
            ("started at Int64.min", .invalid, "started_at_ns", { $0.startedAtNs = .min }),
            (
                "started 101 years ahead", .invalid, "started_at_ns",
                { $0.startedAtNs = self.now + TimeWindow.spanNs + 1 }
            ),
        ]
        for (name, reason, field, mutate) in cases {
            var completion = self.completion
            mutate(&completion)
            XCTAssertThrowsError(try CompletionCheck.check(completion, shard: 2, nowNs: now), name) { error in
                let problem = error as? MessageProblem
                XCTAssertEqual(problem?.reason, reason, name)
                XCTAssertEqual(problem?.field, field, name)
            }
        }
    }

    func testLongTextsAreCutAndOtherValuesKept() throws {
        var completion = self.completion
        completion.error = String(repeating: "é", count: 3 << 20)
        completion.executorID = String(repeating: "x", count: 100_000)
        completion.attempts = 4_000_000_000
        completion.run = .max
        completion.httpStatus = 999
        let checked = try CompletionCheck.check(completion, shard: 2, nowNs: now)
        XCTAssertEqual(checked.error.utf8.count, CompletionCheck.maxErrorBytes)
        XCTAssertEqual(checked.executorID.utf8.count, CompletionCheck.maxExecutorIDBytes)
        XCTAssertEqual(checked.attempts, 4_000_000_000)
        XCTAssertEqual(checked.run, .max)
        XCTAssertEqual(checked.httpStatus, 999)
    }
}

extension CompletionCheckTests {
    func testARetryNeedsATimeNearNow() throws {
        let now: Int64 = 1_800_000_000_000_000_000
        var retry = Completion(
            jobID: "0-01M83VB0PYJMTQ8CWMCAXSQF5W", run: 1, shard: 0, outcome: .retry, httpStatus: 503, attempts: 1,
            startedAtNs: now, finishedAtNs: now, executorID: "e", error: "")
        retry.retryAtNs = now + 1_000_000_000
        XCTAssertEqual(try CompletionCheck.check(retry, shard: 0, nowNs: now).retryAtNs, retry.retryAtNs)
        for bad in [Int64.max, .min] {
            retry.retryAtNs = bad
            XCTAssertThrowsError(try CompletionCheck.check(retry, shard: 0, nowNs: now), "\(bad)")
        }
    }
}
