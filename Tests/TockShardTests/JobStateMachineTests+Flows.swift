import TockCore
import TockModel
import TockSQLite
import XCTest

@testable import TockShard

/// Flows in the state machine: a job keeps its flow key, limits given with a job or set alone are the key's (the
/// tenant's), and a bad command is refused alike on every replica.
extension JobStateMachineTests {
    func flowSpec(_ id: String, key: String, limits: FlowLimits? = nil, tenant: String = "") -> JobSpec {
        var spec = spec(id)
        spec.flow = Flow(key: key, limits: limits)
        spec.tenant = tenant
        return spec
    }

    func testAJobKeepsItsFlowKeyAndItsLimitsBecomeTheKeys() throws {
        let twenty = FlowLimits(rate: FlowRate(count: 20, periodNs: FlowRate.second))
        guard
            case .created(let job) = try apply(.createJob(flowSpec("0-a", key: "p", limits: twenty), createdAtNs: 100))
        else { return XCTFail("created") }
        XCTAssertEqual(job.flowKey, "p")
        XCTAssertEqual(job.dueEntry.lane, DueLane(priority: .high, tenant: "", flowKey: "p"))
        XCTAssertEqual(JobView(job).flow, FlowKeyView(key: "p"))
        let flow = FlowID(tenant: "", key: "p")
        XCTAssertEqual(try FlowRows.find(flow, in: db), FlowRecord(flow: flow, limits: twenty, updatedAtNs: 100))
        // A job naming only the key leaves its limits; the latest limits given replace them whole.
        _ = try apply(.createJob(flowSpec("0-b", key: "p"), createdAtNs: 200))
        XCTAssertEqual(try FlowRows.find(flow, in: db)?.limits, twenty)
        _ = try apply(.createJob(flowSpec("0-c", key: "p", limits: FlowLimits(concurrency: 2)), createdAtNs: 300))
        XCTAssertEqual(try FlowRows.find(flow, in: db)?.limits, FlowLimits(concurrency: 2))
        // Another tenant's key of the same name is another flow.
        _ = try apply(.createJob(flowSpec("0-d", key: "p", limits: twenty, tenant: "acme"), createdAtNs: 400))
        XCTAssertEqual(try FlowRows.find(flow, in: db)?.limits, FlowLimits(concurrency: 2))
        XCTAssertEqual(try FlowRows.list(tenant: nil, after: nil, limit: 10, in: db).map(\.flow.tenant), ["", "acme"])
        XCTAssertEqual(try FlowRows.list(tenant: "acme", after: nil, limit: 10, in: db).count, 1)
    }

    func testFlowsAreSetAndDeletedByCommandsAndBadOnesRefused() throws {
        let flow = FlowID(tenant: "t", key: "k")
        XCTAssertEqual(
            try apply(.setFlow(flow, FlowLimits(concurrency: 3), atNs: 5)),
            .flow(FlowRecord(flow: flow, limits: FlowLimits(concurrency: 3), updatedAtNs: 5)))
        XCTAssertEqual(try apply(.deleteFlow(flow, atNs: 6)), .updated(1))
        XCTAssertEqual(try apply(.deleteFlow(flow, atNs: 7)), .notFound)
        XCTAssertNil(try FlowRows.find(flow, in: db))
        for (bad, limits) in [
            (FlowID(tenant: "", key: "a b"), FlowLimits.unlimited), (FlowID(tenant: "", key: ""), .unlimited),
            (flow, FlowLimits(concurrency: 0)), (flow, FlowLimits(rate: FlowRate(count: 0, periodNs: FlowRate.second))),
            (flow, FlowLimits(rate: FlowRate(count: 5, periodNs: 17))),
        ] {
            guard case .rejected = try machine.applyOrReject(.setFlow(bad, limits, atNs: 1), in: db) else {
                return XCTFail("\(bad) \(limits) is refused")
            }
        }
        guard case .rejected(let problem) = try apply(.createJob(flowSpec("0-x", key: "no good"), createdAtNs: 1))
        else { return XCTFail("a bad key in a create is refused") }
        XCTAssertEqual(problem.field, "flow.key")
        XCTAssertNil(try job("0-x"))
    }

    func testAFlowsOpenRunsAreItsPublishedOneTimeRunsAndItsRecurringRunsOut() throws {
        _ = try apply(.createJob(flowSpec("0-a", key: "p"), createdAtNs: 100))
        _ = try apply(.createJob(flowSpec("0-b", key: "p"), createdAtNs: 100))
        _ = try apply(.createJob(flowSpec("0-c", key: "other"), createdAtNs: 100))
        _ = try apply(
            .markPublished(
                ["0-a", "0-c"].map { PublishedRun(jobID: $0, run: 1, streamSequence: 1, publishedAtNs: 600) }))
        let flow = FlowID(tenant: "", key: "p")
        XCTAssertEqual(try FlowRuns.open(flow, in: db), ["0-a/1"])
        let counts = try FlowRuns.counts([flow], nowNs: 1_000, in: db)
        XCTAssertEqual(counts[flow]?.due, 1)
        XCTAssertEqual(counts[flow]?.open, 1)
        _ = try apply(.markDone([completion("0-a", .succeeded, attempts: 1)], atNs: 700))
        XCTAssertEqual(try FlowRuns.open(flow, in: db), [])
    }
}

/// A failed attempt of a flow's one-time job comes back as the next run at the executor's back-off, keeping its
/// attempts, so the retry goes through the flow's gate.
extension JobStateMachineTests {
    func retryCompletion(_ id: String, run: UInt32, attempts: UInt32, retryAt: Int64) -> Completion {
        var completion = Completion(
            jobID: id, run: run, shard: 0, outcome: .retry, httpStatus: 503, attempts: attempts, startedAtNs: 650,
            finishedAtNs: 690, executorID: "e1", error: "HTTP 503")
        completion.retryAtNs = retryAt
        return completion
    }

    func testAFlowsFailedAttemptIsScheduledAgainAsTheNextRunKeepingItsAttempts() throws {
        _ = try apply(.createJob(flowSpec("0-a", key: "p"), createdAtNs: 100))
        _ = try apply(.markPublished([PublishedRun(jobID: "0-a", run: 1, streamSequence: 4, publishedAtNs: 600)]))
        let result = try apply(.markDone([retryCompletion("0-a", run: 1, attempts: 1, retryAt: 5_000)], atNs: 700))
        XCTAssertEqual(
            result,
            .rescheduled(
                changed: 1,
                next: [DueEntry(dueAtNs: 5_000, jobID: "0-a", run: 2, lane: DueLane(priority: .high, flowKey: "p"))]))
        let job = try XCTUnwrap(try job("0-a"))
        XCTAssertEqual(job.state, .scheduled)
        XCTAssertEqual(job.run, 2)
        XCTAssertEqual(job.attempts, 1)
        XCTAssertEqual(job.lastStatus, 503)
        XCTAssertNil(job.publishedAtNs)
        XCTAssertEqual(job.jobRun(publishedAtNs: 6_000).attemptsBefore, 1)
        XCTAssertEqual(job.jobRun(publishedAtNs: 6_000).flowKey, "p")
        XCTAssertTrue(job.jobRun(publishedAtNs: 6_000).retriesThroughShard)
        let history = try db.statement(
            "SELECT state, attempts, stream_seq FROM job_runs WHERE job_id = '0-a' AND run = 1"
        )
        .first { ($0.text(0), $0.int64(1), $0.int64(2)) }
        XCTAssertEqual(history?.0, "failed")
        XCTAssertEqual(history?.1, 1)
        XCTAssertEqual(history?.2, 4)
        XCTAssertEqual(try OutboxRows.count(in: db), 0, "not an outcome: the job goes on")
        // Reported twice, or late: nothing more changes.
        XCTAssertEqual(
            try apply(.markDone([retryCompletion("0-a", run: 1, attempts: 1, retryAt: 9_000)], atNs: 800)), .updated(0))
        XCTAssertEqual(try self.job("0-a")?.dueAtNs, 5_000)
        // The last attempt ends the job as any failure does, with the attempts of the whole chain.
        var last = completion("0-a", .gaveUp, attempts: 2)
        last.run = 2
        XCTAssertEqual(try apply(.markDone([last], atNs: 900)), .updated(1))
        XCTAssertEqual(try self.job("0-a")?.state, .failed)
    }

    func testARetryFromAnyoneButAFlowsOneTimeJobIsAFailure() throws {
        _ = try apply(.createJob(spec("0-plain"), createdAtNs: 100))
        XCTAssertEqual(
            try apply(.markDone([retryCompletion("0-plain", run: 1, attempts: 1, retryAt: 5_000)], atNs: 700)),
            .updated(1))
        XCTAssertEqual(try job("0-plain")?.state, .failed)
    }

    func testARetryIsNeverPutOffBeyondADayNorBeforeNow() throws {
        _ = try apply(.createJob(flowSpec("0-a", key: "p"), createdAtNs: 100))
        _ = try apply(.createJob(flowSpec("0-b", key: "p"), createdAtNs: 100))
        guard
            case .rescheduled(_, let next) = try apply(
                .markDone(
                    [
                        retryCompletion("0-a", run: 1, attempts: 1, retryAt: .max),
                        retryCompletion("0-b", run: 1, attempts: 1, retryAt: .min),
                    ], atNs: 700))
        else { return XCTFail("rescheduled") }
        XCTAssertEqual(next.map(\.dueAtNs), [700 + JobStateMachine.longestRetryDelayNs, 700])
    }
}
