import TockCore
import TockModel
import TockNATS
import TockSQLite
import TockWire

/// The I/O of the timer's reconciliation passes (Sources/ARCHITECTURE.md, invariant 5): reading overdue published runs,
/// looking them up in their stream, waiting for completions to settle, and publishing lost runs again. What is overdue
/// and what counts as lost is decided by the `DueTimer` (`LostRunSweep`, `LostRunPolicy`).
extension DuePublisher {
    nonisolated func readOverdue(_ scans: [LostRunSweep.Scan]) async -> DueTimerEvent {
        do {
            let pages = try await database.read { db in
                try scans.map { scan in
                    LostRunSweep.Page(
                        scan: scan,
                        rows: try PublishedRunScan.rows(
                            recurring: scan.recurring, beforeNs: scan.beforeNs, after: scan.after, limit: scan.limit,
                            in: db))
                }
            }
            return .overdueRead(pages)
        } catch {
            logger.error("reconciliation: cannot read published runs; will retry", metadata: ["error": "\(error)"])
            return .overdueReadFailed
        }
    }

    nonisolated func lookUp(_ runs: [PublishedRunRow]) async -> DueTimerEvent? {
        guard let js = try? await link.jetStream() else { return nil }
        var answers: [RunLookUp] = []
        defer { metrics.reconciled(checked: answers.count, lost: 0) }
        for run in runs {
            do {
                let stored = try await js.storedMessage(
                    stream: Subjects.jobsStream(priority: run.priority),
                    sequence: run.streamSequence)
                answers.append(RunLookUp(run: run, stored: stored))
            } catch is CancellationError {
                return nil
            } catch {
                // A missing stream or an unreachable server says nothing about the run; the next pass asks again.
                logger.warning(
                    "reconciliation: cannot look a run up in its stream; will retry",
                    metadata: [
                        "job": "\(run.jobID)", "run": "\(run.run)", "stream_sequence": "\(run.streamSequence)",
                        "error": "\(error)",
                    ])
                return .lookedUp(answers, failed: true)
            }
        }
        return .lookedUp(answers, failed: false)
    }

    /// Whether every completion waiting in `TOCK_DONE` now has been committed, waiting up to `settleWait`.
    nonisolated func completionsSettled() async -> Bool {
        guard let js = try? await link.jetStream() else { return false }
        let deadline = ContinuousClock.now + settleWait
        while !Task.isCancelled {
            do {
                let (done, consumer) = try await js.state(
                    stream: Subjects.doneStream,
                    consumer: Subjects.doneConsumer(shard: shard))
                if LostRunPolicy.completionsSettled(doneLastSequence: done.lastSequence, consumer: consumer) {
                    return true
                }
            } catch {
                logger.debug("reconciliation: cannot read the completions consumer", metadata: ["error": "\(error)"])
            }
            guard ContinuousClock.now < deadline else { break }
            try? await Task.sleep(for: .milliseconds(250))
        }
        logger.info("reconciliation: runs not in their stream wait for pending completions")
        return false
    }

    /// Reads `suspects` again, and publishes those still out with the sequence they were found lost at, each under
    /// a message id of its own (`Subjects.republishMessageID`), then commits the new sequences. A run whose
    /// publish or commit fails is still out with its lost sequence: a later pass finds it again and publishes it
    /// under the same id, which JetStream drops if the first try got through.
    nonisolated func republish(_ suspects: [PublishedRunRow]) async {
        let found: [(run: PublishedRunRow, job: Job)]
        do {
            found = try await database.read { db in
                try suspects.compactMap { suspect in
                    guard let run = try PublishedRunScan.current(suspect, in: db),
                        let job = try JobRows.find(id: run.jobID, in: db)
                    else { return nil }
                    return (run, job)
                }
            }
        } catch {
            logger.error("reconciliation: cannot re-read lost runs; will retry", metadata: ["error": "\(error)"])
            return
        }
        metrics.reconciled(checked: 0, lost: found.count)
        guard !found.isEmpty, let js = try? await link.jetStream() else { return }
        let publishedAt = clock.nowNs()
        let shard = self.shard
        let outcomes = await withTaskGroup(of: (PublishedRunRow, Result<PubAck, any Error>).self) { group in
            for (run, job) in found {
                var message = job.jobRun(publishedAtNs: publishedAt)
                message.run = run.run
                message.dueAtNs = run.dueAtNs
                group.addTask {
                    let result = await Result {
                        try await js.publish(
                            subject: Subjects.jobs(priority: run.priority, shard: shard), payload: message.encoded(),
                            msgID: Subjects.republishMessageID(
                                jobID: run.jobID, run: run.run,
                                lostSequence: run.streamSequence))
                    }
                    return (run, result)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var published: [PublishedRun] = []
        for (run, result) in outcomes {
            switch result {
            case .success(let ack):
                logger.warning(
                    "run lost by JetStream published again",
                    metadata: [
                        "job": "\(run.jobID)", "run": "\(run.run)", "lost_sequence": "\(run.streamSequence)",
                        "stream_sequence": "\(ack.sequence)",
                    ])
                published.append(
                    PublishedRun(
                        jobID: run.jobID, run: run.run, streamSequence: ack.sequence,
                        publishedAtNs: publishedAt, replacesSequence: run.streamSequence))
            case .failure(let error):
                logger.warning(
                    "reconciliation: cannot publish a lost run; will retry",
                    metadata: ["job": "\(run.jobID)", "run": "\(run.run)", "error": "\(error)"])
            }
        }
        guard !published.isEmpty else { return }
        do {
            _ = try await log.propose(.markPublished(published))
            metrics.republished(published.count)
        } catch {
            logger.error("reconciliation: cannot commit republished runs; will retry", metadata: ["error": "\(error)"])
        }
    }
}
