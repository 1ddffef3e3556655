import TockSQLite

/// The node's SQLite file: the command log, bookkeeping, and the job tables the state machine applies to.
enum ShardSchema {
    static let version: Int64 = 1

    static func migrate(_ db: Database) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS tock_meta (
                key TEXT PRIMARY KEY,
                value INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS command_log (
                idx INTEGER PRIMARY KEY,
                term INTEGER NOT NULL,
                command BLOB NOT NULL
            );
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
                executor_id TEXT
            ) STRICT;
            CREATE INDEX IF NOT EXISTS jobs_scheduled_due ON jobs(due_at) WHERE state = 'scheduled';
            CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency_key ON jobs(idempotency_key)
                WHERE idempotency_key IS NOT NULL;
            INSERT OR IGNORE INTO tock_meta(key, value) VALUES ('schema_version', \(version));
            INSERT OR IGNORE INTO tock_meta(key, value) VALUES ('applied_index', 0);
            """)
    }
}
