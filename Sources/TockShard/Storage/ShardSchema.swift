import TockSQLite

/// The node's SQLite file: the Raft log, hard state and last snapshot, bookkeeping, and the job tables the state
/// machine applies to.
///
/// Version 2 replaced the one-node `command_log` with the Raft tables. A version 1 file keeps its jobs and starts a
/// new log: its commands were all applied, so only the applied index is reset.
///
/// Version 3 added `jobs.webhook_format`; older rows read as `tock`, the body shape they were created with. A
/// snapshot without the column still installs (see `ShardSnapshot`).
///
/// Version 4 added recurring jobs: `jobs.schedule` (JSON, NULL for a one-time job) and `jobs.paused`, and the
/// `job_runs` table, one row per run of a recurring job that was published, skipped or reported done.
///
/// Version 5 added tenants: `jobs.tenant` ("" for jobs from before, or submitted without authentication), and
/// idempotency keys became unique per tenant (`jobs_tenant_idempotency_key` replaced `jobs_idempotency_key`).
///
/// Version 7 added outcome events and callbacks: `jobs.callback_url` and `jobs.failure_callback_url` ("" when
/// none) and the outbox `job_events`, one row per terminal outcome of a run written in the outcome's transaction
/// and deleted once the leader has published it to TOCK_EVENTS (`OutboxRows`, `OutcomePublisher`). `seq` orders
/// the rows; being the rowid it is given alike on every replica, as their rows are alike.
///
/// Version 8 added `jobs.destination`: `webhook` (older rows), `nats` (the subject in `url`, the message's headers and
/// body in `headers` and `body`) or `timer` (nothing to call) — `JobRows.StoredDestination`.
///
/// Version 9 added flow control: `jobs.flow_key` ("" for a job of no flow) and the `flows` table, one row per flow
/// key (of a tenant) that has limits (`FlowRows`). `jobs_due_lane` replaced `jobs_due_window`, adding the columns
/// the due-timer's lanes need (`priority`, `tenant`, `flow_key`); `jobs_flow` finds a flow's runs.
///
/// `jobs_due_window` replaced `jobs_scheduled_due` (due_at of scheduled rows) without a version change, as only an
/// index changed: the due-timer's scans need `paused = 0` in the index's condition and `id` and `run` in its
/// columns to read a page of due runs from the index alone (SQLite reads the condition's columns, `state` and
/// `paused`, from the index too, so they come last). It is created after the upgrade steps, since it names
/// the version 4 column `paused`.
///
/// `jobs_published` and `job_runs_published` (also without a version change) order the runs out with an
/// executor by publish time, so the leader's reconciliation (`PublishedRunScan`) reads the few published longer
/// ago than a run can legitimately be in flight without visiting the rest: one-time jobs in `jobs`, runs of
/// recurring jobs in `job_runs`.
///
/// `jobs_finished` and `job_runs_finished` (without a version change) order finished jobs by their last change and
/// finished runs by their finish, so retention (`RetentionScan`) reads the oldest without visiting live rows.
enum ShardSchema {
    static let version: Int64 = 9

    static func migrate(_ db: Database) throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS tock_meta (
                key TEXT PRIMARY KEY,
                value INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS raft_entries (
                idx INTEGER PRIMARY KEY,
                term INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                data BLOB NOT NULL
            ) STRICT;
            CREATE TABLE IF NOT EXISTS raft_hard_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                term INTEGER NOT NULL,
                vote TEXT,
                commit_index INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE IF NOT EXISTS raft_snapshot (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                idx INTEGER NOT NULL,
                term INTEGER NOT NULL,
                membership BLOB NOT NULL,
                data BLOB NOT NULL
            ) STRICT;
            CREATE TABLE IF NOT EXISTS raft_nodes (
                node TEXT PRIMARY KEY,
                raft_address TEXT NOT NULL,
                http_address TEXT NOT NULL
            ) STRICT;
            CREATE TABLE IF NOT EXISTS jobs (
                id TEXT PRIMARY KEY,
                shard INTEGER NOT NULL,
                state TEXT NOT NULL,
                priority TEXT NOT NULL,
                url TEXT NOT NULL,
                method TEXT NOT NULL,
                headers BLOB NOT NULL,
                body BLOB NOT NULL,
                timeout_ms INTEGER NOT NULL,
                max_attempts INTEGER NOT NULL,
                idempotency_key TEXT,
                run INTEGER NOT NULL,
                due_at INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                published_at INTEGER,
                stream_seq INTEGER,
                finished_at INTEGER,
                cancelled_at INTEGER,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_status INTEGER,
                last_error TEXT,
                executor_id TEXT,
                webhook_format TEXT NOT NULL DEFAULT 'tock',
                schedule TEXT,
                paused INTEGER NOT NULL DEFAULT 0,
                tenant TEXT NOT NULL DEFAULT '',
                callback_url TEXT NOT NULL DEFAULT '',
                failure_callback_url TEXT NOT NULL DEFAULT '',
                destination TEXT NOT NULL DEFAULT 'webhook',
                flow_key TEXT NOT NULL DEFAULT ''
            ) STRICT;
            CREATE TABLE IF NOT EXISTS flows (
                tenant TEXT NOT NULL,
                key TEXT NOT NULL,
                rate_count INTEGER,
                rate_period_ns INTEGER,
                concurrency INTEGER,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (tenant, key)
            ) STRICT;
            CREATE TABLE IF NOT EXISTS job_runs (
                job_id TEXT NOT NULL,
                run INTEGER NOT NULL,
                due_at INTEGER NOT NULL,
                state TEXT NOT NULL,
                published_at INTEGER,
                stream_seq INTEGER,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_status INTEGER,
                last_error TEXT,
                executor_id TEXT,
                finished_at INTEGER,
                PRIMARY KEY (job_id, run)
            ) STRICT;
            CREATE TABLE IF NOT EXISTS job_events (
                seq INTEGER PRIMARY KEY,
                job_id TEXT NOT NULL,
                run INTEGER NOT NULL,
                state TEXT NOT NULL,
                shard INTEGER NOT NULL,
                attempts INTEGER NOT NULL,
                last_status INTEGER,
                last_error TEXT,
                finished_at INTEGER NOT NULL,
                tenant TEXT NOT NULL,
                priority TEXT NOT NULL,
                idempotency_key TEXT,
                callback_url TEXT NOT NULL,
                failure_callback_url TEXT NOT NULL,
                recurring INTEGER NOT NULL,
                max_attempts INTEGER NOT NULL,
                timeout_ms INTEGER NOT NULL,
                UNIQUE (job_id, run, state)
            ) STRICT;
            INSERT OR IGNORE INTO tock_meta(key, value) VALUES ('schema_version', \(version));
            INSERT OR IGNORE INTO tock_meta(key, value) VALUES ('applied_index', 0);
            """)
        try upgrade(db)
        try db.execute(
            """
            DROP INDEX IF EXISTS jobs_scheduled_due;
            DROP INDEX IF EXISTS jobs_idempotency_key;
            CREATE UNIQUE INDEX IF NOT EXISTS jobs_tenant_idempotency_key ON jobs(tenant, idempotency_key)
                WHERE idempotency_key IS NOT NULL;
            DROP INDEX IF EXISTS jobs_due_window;
            CREATE INDEX IF NOT EXISTS jobs_due_lane ON jobs(due_at, id, run, priority, tenant, flow_key, state, paused)
                WHERE state = 'scheduled' AND paused = 0;
            CREATE INDEX IF NOT EXISTS jobs_flow ON jobs(tenant, flow_key, state) WHERE flow_key != '';
            -- Counting jobs by state (status pages, `tock status`, the benchmark's wait) reads this index in
            -- order instead of sorting every row of the table; listing by state pages through it by id.
            CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, id);
            CREATE INDEX IF NOT EXISTS jobs_published ON jobs(published_at, id)
                WHERE state = 'published' AND schedule IS NULL;
            CREATE INDEX IF NOT EXISTS job_runs_published ON job_runs(published_at, job_id, run)
                WHERE state = 'published';
            CREATE INDEX IF NOT EXISTS jobs_finished ON jobs(updated_at, id)
                WHERE state IN ('succeeded', 'failed', 'cancelled');
            CREATE INDEX IF NOT EXISTS job_runs_finished ON job_runs(finished_at, job_id, run)
                WHERE finished_at IS NOT NULL;
            """)
    }

    private static func upgrade(_ db: Database) throws {
        let stored = try db.statement("SELECT value FROM tock_meta WHERE key = 'schema_version'").first { $0.int64(0) }
        guard let stored, stored < version else { return }
        if stored < 2 {
            try db.execute(
                """
                DROP TABLE IF EXISTS command_log;
                UPDATE tock_meta SET value = 0 WHERE key = 'applied_index';
                """)
        }
        if stored < 3 {
            try db.execute("ALTER TABLE jobs ADD COLUMN webhook_format TEXT NOT NULL DEFAULT 'tock'")
        }
        if stored < 4 {
            try db.execute(
                """
                ALTER TABLE jobs ADD COLUMN schedule TEXT;
                ALTER TABLE jobs ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
                """)
        }
        if stored < 5 {
            try db.execute("ALTER TABLE jobs ADD COLUMN tenant TEXT NOT NULL DEFAULT ''")
        }
        if stored < 7 {
            try db.execute(
                """
                ALTER TABLE jobs ADD COLUMN callback_url TEXT NOT NULL DEFAULT '';
                ALTER TABLE jobs ADD COLUMN failure_callback_url TEXT NOT NULL DEFAULT '';
                """)
        }
        if stored < 8 {
            try db.execute("ALTER TABLE jobs ADD COLUMN destination TEXT NOT NULL DEFAULT 'webhook'")
        }
        if stored < 9 {
            try db.execute("ALTER TABLE jobs ADD COLUMN flow_key TEXT NOT NULL DEFAULT ''")
        }
        try db.execute("UPDATE tock_meta SET value = \(version) WHERE key = 'schema_version'")
    }
}
