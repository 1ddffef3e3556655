import TockCore
import TockModel
import TockWire

/// One job as the shard's state machine holds it.
public struct Job: Sendable, Equatable {
    public var id: String
    public var shard: UInt32
    public var state: JobState
    public var priority: Priority
    /// The webhook when `destination` is `.webhook`; empty otherwise.
    public var target: HTTPTarget
    public var timeoutMs: UInt32
    public var maxAttempts: UInt32
    public var idempotencyKey: String
    public var run: UInt32
    public var dueAtNs: Int64
    public var createdAtNs: Int64
    public var updatedAtNs: Int64
    public var publishedAtNs: Int64?
    public var streamSequence: UInt64?
    public var finishedAtNs: Int64?
    public var cancelledAtNs: Int64?
    public var attempts: UInt32
    public var lastStatus: Int32?
    public var lastError: String?
    public var executorID: String?
    public var webhookFormat: WebhookFormat
    /// nil for a one-time job.
    public var schedule: Schedule? = nil
    /// A paused recurring job publishes no runs until resumed.
    public var paused = false
    /// The tenant that owns it (`JobSpec.tenant`).
    public var tenant = ""
    /// `JobSpec.callbackURL`; "" when none.
    public var callbackURL = ""
    /// `JobSpec.failureCallbackURL`; "" when none.
    public var failureCallbackURL = ""
    public var destination = Destination.webhook
    /// The flow key whose limits pace its runs (`JobSpec.flow`); "" for none. Its flow is `(tenant, flowKey)`.
    public var flowKey = ""

    /// The job's flow, if it has one.
    public var flow: FlowID? { flowKey.isEmpty ? nil : FlowID(tenant: tenant, key: flowKey) }

    /// The lane its due runs wait in (`DueLane`).
    public var dueLane: DueLane { DueLane(priority: priority, tenant: tenant, flowKey: flowKey) }

    /// Its current run, for the due-timer.
    public var dueEntry: DueEntry { DueEntry(dueAtNs: dueAtNs, jobID: id, run: run, lane: dueLane) }

    /// The message an executor receives for this job's current run.
    public func jobRun(publishedAtNs: Int64) -> JobRun {
        var message = JobRun(
            jobID: id, run: run, shard: shard, priority: priority, target: target, timeoutMs: timeoutMs,
            maxAttempts: maxAttempts, idempotencyKey: idempotencyKey, dueAtNs: dueAtNs,
            publishedAtNs: publishedAtNs, traceID: "", webhookFormat: webhookFormat, recurring: schedule != nil,
            destination: destination)
        message.flowKey = flowKey
        // A scheduled one-time job's attempts are those its earlier runs of a retry chain made (0 for a new run, and
        // for a run made again from a finished job, which starts with fresh attempts).
        message.attemptsBefore = schedule == nil ? attempts : 0
        return message
    }
}
