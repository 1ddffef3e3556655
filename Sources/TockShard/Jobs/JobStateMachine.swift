import TockCore
import TockModel
import TockSQLite
import TockWire

/// Applies committed shard commands to the job tables (and the group's address book, `raft_nodes`). Deterministic: every time it stores comes from the
/// command, never from a clock, so every replica that applies the same log holds the same rows.
/// Applying a command twice leaves the tables as applying it once did.
struct JobStateMachine: Sendable {
    let shard: UInt32

    /// Applies `command` inside a savepoint, or rejects it alike on every replica: a command that fails a check,
    /// or whose apply fails for what it holds (a constraint, a type or size SQLite refuses, a stored value that
    /// does not decode), leaves the tables as they were and answers `.rejected`, instead of stopping every replica
    /// at the same log entry. Failures of the machine (I/O, a full disk, a damaged file) still throw: those differ
    /// between replicas, and the node must stop rather than skip an entry the others applied.
    func applyOrReject(_ command: ShardCommand, in db: Database) throws -> ApplyResult {
        try db.statement("SAVEPOINT apply_command").run()
        do {
            let result = try apply(command, in: db)
            try db.statement("RELEASE apply_command").run()
            return result
        } catch let error as SQLiteError where !error.isDataDependent {
            throw error
        } catch {
            try db.execute("ROLLBACK TO apply_command; RELEASE apply_command")
            return .rejected(
                FieldError(field: nil, code: "rejected", message: "the shard could not store this: \(error)"))
        }
    }

    func apply(_ command: ShardCommand, in db: Database) throws -> ApplyResult {
        switch command {
        case .createJob(let spec, let createdAtNs, let retentionNs):
            return try create(spec, at: createdAtNs, keyRetentionNs: retentionNs, in: db)
        case .createJobs(let specs, let createdAtNs, let retentionNs):
            // In order, in this one transaction: a key repeated later in the batch finds the job created for it
            // earlier, just as it would across two commands.
            return .batch(try specs.map { try create($0, at: createdAtNs, keyRetentionNs: retentionNs, in: db) })
        case .cancelJob(let jobID, let atNs):
            return try cancel(jobID, at: atNs, in: db)
        case .markPublished(let runs):
            return try markPublished(runs, in: db)
        case .markDone(let completions, let atNs):
            return try markDone(completions, at: atNs, in: db)
        case .skipRun(let jobID, let run, let nextDueAtNs, let atNs, let reason):
            return try skip(jobID, run: run, next: nextDueAtNs, at: atNs, reason: reason, in: db)
        case .pauseJob(let jobID, let atNs):
            return try setPaused(jobID, true, next: nil, at: atNs, in: db)
        case .resumeJob(let jobID, let nextDueAtNs, let atNs):
            return try setPaused(jobID, false, next: nextDueAtNs, at: atNs, in: db)
        case .retryJob(let runs, let atNs):
            return try retry(runs, at: atNs, in: db)
        case .setNodeAddress(let node, let raft, let http):
            try db.statement(
                """
                INSERT INTO raft_nodes (node, raft_address, http_address) VALUES (?, ?, ?)
                ON CONFLICT (node) DO UPDATE SET raft_address = excluded.raft_address,
                    http_address = excluded.http_address
                """
            ).run(node, raft, http)
            return .updated(1)
        case .purgeFinished(let cutoffNs, let jobIDs, let runs):
            return try purge(cutoffNs: cutoffNs, jobIDs: jobIDs, runs: runs, in: db)
        case .deleteEvents(let keys):
            return .updated(try OutboxRows.delete(keys, in: db))
        case .setFlow(let flow, let limits, let atNs):
            if let problem = Self.problem(with: flow, limits) { return .rejected(problem) }
            try FlowRows.upsert(flow, limits, at: atNs, in: db)
            return .flow(FlowRecord(flow: flow, limits: limits, updatedAtNs: atNs))
        case .deleteFlow(let flow, _):
            return try FlowRows.delete(flow, in: db) > 0 ? .updated(1) : .notFound
        }
    }

    /// A key whose holder was created `keyRetentionNs` or longer before `nowNs` has expired: the holder keeps its
    /// row (and runs on) but gives up the key, and the new job takes it. Both times come from commands, so every
    /// replica, and every later leader, decides alike — which is what makes dedupe survive leader changes.
    ///
    /// A scheduled-db id (the key of a job created through scheduled-db's API) is not a retry key but the job's
    /// name: it names its holder for as long as that job is live, whatever the retention, so a create with it
    /// answers the live job and never makes a second; once the holder has finished or been cancelled, the name is
    /// free and the new job takes it (`keyIsFree`).
    private func create(_ spec: JobSpec, at nowNs: Int64, keyRetentionNs: Int64?, in db: Database) throws
        -> ApplyResult
    {
        if !spec.idempotencyKey.isEmpty,
            let holder = try JobRows.find(idempotencyKey: spec.idempotencyKey, tenant: spec.tenant, in: db)
        {
            guard Self.keyIsFree(heldBy: holder, for: spec, at: nowNs, retentionNs: keyRetentionNs) else {
                return .existing(holder)
            }
            try db.statement("UPDATE jobs SET idempotency_key = NULL WHERE id = ?").run(holder.id)
        }
        if let existing = try JobRows.find(id: spec.id, in: db) { return .existing(existing) }
        if let problem = spec.problemForStorage(createdAtNs: nowNs) { return .rejected(problem) }
        let target = JobRows.targetColumns(of: spec)
        try db.statement(
            """
            INSERT INTO jobs (id, shard, state, priority, url, method, headers, body, timeout_ms, max_attempts,
                              idempotency_key, run, due_at, created_at, updated_at, webhook_format, schedule, tenant,
                              callback_url, failure_callback_url, destination, flow_key)
            VALUES (?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run(
            spec.id, shard, spec.priority.rawValue, target.url, target.method, target.headers, target.body,
            spec.timeoutMs, spec.maxAttempts, spec.idempotencyKey.isEmpty ? nil : spec.idempotencyKey, spec.dueAtNs,
            nowNs, nowNs, spec.webhookFormat.rawValue, try spec.schedule.map(ScheduleColumn.encode), spec.tenant,
            spec.callbackURL, spec.failureCallbackURL, target.destination, spec.flow?.key ?? "")
        if let flow = spec.flow, let limits = flow.limits {
            // The latest limits submitted for a key are its limits (Schemas/API.md, "Flow control").
            try FlowRows.upsert(FlowID(tenant: spec.tenant, key: flow.key), limits, at: nowNs, in: db)
        }
        guard let job = try JobRows.find(id: spec.id, in: db) else { return .notFound }
        return .created(job)
    }

    /// Why a flow command may not be applied, or nil: the rules the API applies, for a command that came another way.
    static func problem(with flow: FlowID, _ limits: FlowLimits) -> FieldError? {
        if let problem = FlowRules.problem(withKey: flow.key) {
            return FieldError(field: "key", message: "key \(problem)")
        }
        if let problem = FlowRules.problem(with: limits) {
            return FieldError(field: problem.field, message: "\(problem.field) \(problem.message)")
        }
        return nil
    }

    /// Whether `holder` gives up its key to `spec` (see `create`).
    static func keyIsFree(heldBy holder: Job, for spec: JobSpec, at nowNs: Int64, retentionNs: Int64?) -> Bool {
        if spec.webhookFormat == .scheduledDB, holder.webhookFormat == .scheduledDB {
            return holder.state.isFinished || holder.state == .cancelled
        }
        guard let retentionNs else { return false }
        return hasExpired(createdAtNs: holder.createdAtNs, at: nowNs, retentionNs: retentionNs)
    }

    /// Overflow-safe `nowNs - createdAtNs >= retentionNs`.
    static func hasExpired(createdAtNs: Int64, at nowNs: Int64, retentionNs: Int64) -> Bool {
        let (age, overflow) = nowNs.subtractingReportingOverflow(createdAtNs)
        return overflow ? nowNs > createdAtNs : age >= retentionNs
    }

    private func cancel(_ jobID: String, at nowNs: Int64, in db: Database) throws -> ApplyResult {
        guard let job = try JobRows.find(id: jobID, in: db) else { return .notFound }
        switch job.state {
        case .succeeded, .failed: return .conflict(job)
        case .cancelled: return .cancelled(job)
        case .scheduled, .published:
            try db.statement("UPDATE jobs SET state = 'cancelled', cancelled_at = ?, updated_at = ? WHERE id = ?")
                .run(nowNs, nowNs, jobID)
            try OutboxRows.insert(
                OutboxRows.event(
                    of: job, run: job.run, state: .cancelled, attempts: job.attempts,
                    status: job.lastStatus, error: job.lastError, at: nowNs), in: db)
            return .cancelled(try JobRows.find(id: jobID, in: db) ?? job)
        }
    }

    /// A one-time job becomes `published`. A recurring job records the run in `job_runs` and moves on to its next
    /// run (the leader chose its time), staying `scheduled`; after its last run it becomes `published` too.
    private func markPublished(_ runs: [PublishedRun], in db: Database) throws -> ApplyResult {
        let update = try db.statement(
            """
            UPDATE jobs SET state = 'published', published_at = ?, stream_seq = ?, updated_at = ?
            WHERE id = ? AND run = ? AND state = 'scheduled'
            """)
        var changed = 0
        var next: [DueEntry] = []
        for run in runs {
            if let lost = run.replacesSequence {
                changed += try republished(run, replacing: lost, in: db)
                continue
            }
            if let job = try JobRows.find(id: run.jobID, in: db), job.schedule != nil {
                guard job.state == .scheduled, job.run == run.run else { continue }
                try db.statement(
                    """
                    INSERT INTO job_runs (job_id, run, due_at, state, published_at, stream_seq)
                    VALUES (?, ?, ?, 'published', ?, ?)
                    ON CONFLICT (job_id, run) DO UPDATE SET published_at = excluded.published_at,
                        stream_seq = excluded.stream_seq, due_at = excluded.due_at
                    """
                ).run(job.id, run.run, job.dueAtNs, run.publishedAtNs, run.streamSequence)
                changed += 1
                if let entry = try advance(
                    job, to: run.nextDueAtNs, at: run.publishedAtNs, lastRunPublished: true,
                    in: db)
                {
                    next.append(entry)
                }
                continue
            }
            changed += try update.run(run.publishedAtNs, run.streamSequence, run.publishedAtNs, run.jobID, run.run)
        }
        return next.isEmpty ? .updated(changed) : .rescheduled(changed: changed, next: next)
    }

    /// A run published again after JetStream lost its message takes the new sequence, only while it is still out
    /// and still holds the lost one: a completion, or another republish, that came first wins.
    private func republished(_ run: PublishedRun, replacing lost: UInt64, in db: Database) throws -> Int {
        guard let job = try JobRows.find(id: run.jobID, in: db) else { return 0 }
        if job.schedule == nil {
            return try db.statement(
                """
                UPDATE jobs SET published_at = ?, stream_seq = ?, updated_at = ?
                WHERE id = ? AND run = ? AND state = 'published' AND stream_seq = ?
                """
            ).run(run.publishedAtNs, run.streamSequence, run.publishedAtNs, run.jobID, run.run, lost)
        }
        return try db.statement(
            """
            UPDATE job_runs SET published_at = ?, stream_seq = ?
            WHERE job_id = ? AND run = ? AND state = 'published' AND finished_at IS NULL AND stream_seq = ?
            """
        ).run(run.publishedAtNs, run.streamSequence, run.jobID, run.run, lost)
    }

    /// A completion may arrive before "published" is committed (the executor can be faster than the log),
    /// so it finishes a scheduled run too. A cancelled run records the outcome but stays cancelled.
    private func markDone(_ completions: [Completion], at nowNs: Int64, in db: Database) throws -> ApplyResult {
        let update = try db.statement(
            """
            UPDATE jobs SET state = CASE WHEN state = 'cancelled' THEN 'cancelled' ELSE ? END,
                attempts = ?, last_status = ?, last_error = ?, executor_id = ?, finished_at = ?, updated_at = ?
            WHERE id = ? AND run = ? AND finished_at IS NULL AND state IN ('scheduled', 'published', 'cancelled')
            """)
        var changed = 0
        var next: [DueEntry] = []
        for completion in completions {
            let job = try JobRows.find(id: completion.jobID, in: db)
            // A retry of a one-time job of a flow schedules its next attempt; from anyone else (an executor never
            // sends one) it is a failure, as `failed` would be.
            if completion.outcome == .retry, let job, job.schedule == nil, !job.flowKey.isEmpty {
                if let entry = try retryAttempt(completion, of: job, at: nowNs, in: db) {
                    next.append(entry)
                    changed += 1
                }
                continue
            }
            let state: JobState = completion.outcome == .succeeded ? .succeeded : .failed
            if let job, job.schedule != nil {
                changed += try recordRun(completion, of: job, state: state, at: nowNs, in: db)
                continue
            }
            let updated = try update.run(
                state.rawValue, completion.attempts, completion.httpStatus == 0 ? nil : completion.httpStatus,
                completion.error.isEmpty ? nil : completion.error, completion.executorID,
                completion.finishedAtNs, nowNs, completion.jobID, completion.run)
            // A cancelled job had its event when it was cancelled.
            if updated > 0, let job, job.state != .cancelled {
                try OutboxRows.insert(OutboxRows.event(of: job, completion, state: state), in: db)
            }
            changed += updated
        }
        return next.isEmpty ? .updated(changed) : .rescheduled(changed: changed, next: next)
    }
}
