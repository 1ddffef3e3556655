import Foundation
import Logging
import TockCore
import TockModel
import TockNATS
import TockWire

/// How a run's call ends: its outcome decided, its completion published before its message is acked or
/// terminated (Sources/ARCHITECTURE.md, invariant 3), or its next attempt scheduled.
extension Executor {
    /// Ends the run (succeeded, failed at once, or out of attempts) or schedules its next attempt.
    func conclude(
        _ message: JetStreamMessage, _ run: JobRun, _ result: WebhookResult, attempt: UInt64,
        runKey: String, startedAt: Int64
    ) async {
        var metadata: Logger.Metadata = ["job": "\(run.jobID)", "run": "\(run.run)", "attempt": "\(attempt)"]
        switch result {
        case .delivered(let status):
            let completion = makeCompletion(
                run, .succeeded, status: status, error: "", attempt: attempt,
                startedAt: startedAt)
            if await finish(message, runKey: runKey, with: completion, as: .succeeded, priority: run.priority) {
                logger.debug("webhook delivered", metadata: metadata)
            }
        case .permanentFailure(let status, let error):
            metadata["error"] = "\(error)"
            let completion = makeCompletion(
                run, .failed, status: status, error: error, attempt: attempt,
                startedAt: startedAt)
            if await finish(message, runKey: runKey, with: completion, as: .failed, priority: run.priority) {
                logger.warning("webhook refused the request; not retrying", metadata: metadata)
            }
        case .refused(let reason, let error):
            metadata["error"] = "\(error)"
            metrics.egressRefused(reason: reason)
            let completion = makeCompletion(
                run, .failed, status: 0, error: error, attempt: attempt,
                startedAt: startedAt)
            if await finish(message, runKey: runKey, with: completion, as: .failed, priority: run.priority) {
                logger.warning("webhook target refused by the egress guard; not retrying", metadata: metadata)
            }
        case .retryableFailure(let status, let error, let requestedDelay):
            metadata["error"] = "\(error)"
            if attempt >= UInt64(run.maxAttempts) {
                let completion = makeCompletion(
                    run, .gaveUp, status: status ?? 0, error: error, attempt: attempt,
                    startedAt: startedAt)
                if await finish(message, runKey: runKey, with: completion, as: .gaveUp, priority: run.priority) {
                    logger.warning("webhook failed on its last attempt", metadata: metadata)
                }
            } else if run.retriesThroughShard {
                // The flow paces its retries: the shard publishes the next attempt, through the flow's gate.
                let delay = outcomePolicy.redeliveryDelay(
                    backoff: live.withLock { $0.backoff(for: run.priority, afterAttempt: attempt) },
                    requested: requestedDelay)
                var completion = makeCompletion(
                    run, .retry, status: status ?? 0, error: error, attempt: attempt, startedAt: startedAt)
                completion.retryAtNs = completion.finishedAtNs.saturatingAdding(delay.nanoseconds)
                if await finish(message, runKey: runKey, with: completion, as: .retried, priority: run.priority) {
                    logger.info(
                        "webhook failed; the shard will retry it at its flow's pace",
                        metadata: metadata.merging(["retry_in": "\(delay)"]) { $1 })
                }
            } else {
                stats.record(.retried, priority: run.priority)
                let delay = outcomePolicy.redeliveryDelay(
                    backoff: live.withLock { $0.backoff(for: run.priority, afterAttempt: attempt) },
                    requested: requestedDelay)
                message.settle(.nak(delay: delay), logger: logger)
                logger.info("webhook failed; will retry", metadata: metadata.merging(["retry_in": "\(delay)"]) { $1 })
            }
        }
    }

    /// The attempt this delivery is: JetStream's delivery count less the deliveries this executor deferred for an
    /// open circuit breaker, which called nobody.
    func attemptNumber(of message: JetStreamMessage, runKey: String) -> UInt64 {
        let now = clock.nowNs()
        let deferred = deferrals.withLock { $0.deferrals(of: runKey, nowNs: now) }
        let delivered = message.metadata.numDelivered
        return max(1, delivered > deferred ? delivered - deferred : 0)
    }

    /// Reports a run's end and removes its message, or nak's it for redelivery when the completion cannot be
    /// published (Sources/ARCHITECTURE.md, invariant 3). True when the run ended here.
    private func finish(
        _ message: JetStreamMessage, runKey: String, with completion: Completion,
        as end: ExecutorStats.RunEnd, priority: Priority
    ) async -> Bool {
        guard await completions.publish(completion) else {
            message.settle(.nak(delay: .seconds(1)), logger: logger)
            return false
        }
        stats.record(end, priority: priority)
        deferrals.withLock { $0.forget(runKey) }
        do {
            try settle(message, completion.outcome)
        } catch {
            // The completion is committed either way; the run will come back after its ack wait (a repeated call).
            logger.warning(
                "cannot ack a finished run",
                metadata: [
                    "job": "\(completion.jobID)", "run": "\(completion.run)", "error": "\(error)",
                ])
        }
        return true
    }

    /// A succeeded (or shard-retried) run's message is acked, any other's terminated: either way JetStream never delivers it again.
    static func settleFinishedRun(_ message: JetStreamMessage, _ outcome: Outcome) throws {
        // A retry's message has done its work too: the shard publishes the next attempt as a new message.
        if outcome == .succeeded || outcome == .retry { try message.ack() } else { try message.term() }
    }

    enum HostCall: Sendable {
        case called(WebhookResult)
        /// The host's circuit breaker kept the call back; redeliver after this long.
        case deferred(Duration)
    }

    /// Calls the webhook within its host's concurrency cap and circuit breaker.
    ///
    /// A run waits for a host slot while holding its executor slot: simpler than nak'ing it, and a nak would
    /// count as a delivery. The cost is that a flood for one host can hold executor slots other hosts could use;
    /// `perHostConcurrency` well below `concurrency` keeps most of them free. The breaker is asked after the slot
    /// is taken, so runs that waited do not call a host that failed meanwhile; one that is already open defers
    /// the run before it waits at all.
    func callHost(_ host: String, _ run: JobRun, attempt: UInt64) async throws -> HostCall {
        if let delay = breakers.deferral(for: host) { return .deferred(delay) }
        try await hostSlots.acquire(host)
        defer { hostSlots.release(host) }
        let probe: Bool
        switch breakers.admit(host) {
        case .deferFor(let delay): return .deferred(delay)
        case .call: probe = false
        case .probe: probe = true
        }
        do {
            if attempt == 1 {
                metrics.calledLate(byNs: clock.nowNs().saturatingSubtracting(run.dueAtNs), priority: run.priority)
            }
            let sentAt = ContinuousClock.now
            let result = try await webhooks.deliver(
                run, attempt: attempt, executorID: configuration.executorID,
                egress: live.withLock { $0.egress })
            metrics.webhookTook(ContinuousClock.now - sentAt, priority: run.priority)
            breakers.record(host, hostFailed: result.isHostFailure, probe: probe)
            return .called(result)
        } catch {
            if probe { breakers.abandonProbe(host) }
            throw error
        }
    }

    /// A run whose destination is not a webhook: its NATS message published, or (nil, a timer) nothing. Neither
    /// has a host, so no host slot or circuit breaker applies.
    func deliverWithoutHTTP(_ run: JobRun, publishing message: NATSTarget?, attempt: UInt64) async -> WebhookResult {
        if attempt == 1 {
            metrics.calledLate(byNs: clock.nowNs().saturatingSubtracting(run.dueAtNs), priority: run.priority)
        }
        guard let message else { return .delivered(status: 0) }
        return await natsMessages.publish(message, of: run, attempt: attempt)
    }

    private func makeCompletion(
        _ run: JobRun, _ outcome: Outcome, status: Int, error: String, attempt: UInt64,
        startedAt: Int64
    ) -> Completion {
        Completion(
            jobID: run.jobID, run: run.run, shard: run.shard, outcome: outcome, httpStatus: Int32(clamping: status),
            attempts: UInt32(clamping: attempt), startedAtNs: startedAt, finishedAtNs: clock.nowNs(),
            executorID: configuration.executorID,
            // Protobuf-c strings are C strings: a NUL from a response body would cut the text short.
            // Cut by characters for the reader, then by bytes, so that no completion is large (a character can be
            // long).
            error: String(
                (error.utf8.contains(0) ? error.replacingOccurrences(of: "\0", with: "") : error)
                    .prefix(1024)
            ).utf8Prefix(2048))
    }
}
