import TockCore
import TockNATS

/// How one shard node runs; the defaults are `tock shard`'s (ops/README.md, "Running the parts separately").
public struct ShardConfiguration: Sendable {
    public var shard: UInt32 = 0
    /// Holds the node's SQLite file, `shard-<n>.sqlite`.
    public var dataDirectory: String
    public var natsURL = "nats://127.0.0.1:4222"
    /// TLS and credentials for `natsURL`.
    public var natsSecurity = NATSSecurity()
    public var httpHost = "127.0.0.1"
    public var httpPort = 7070
    public var httpLimits = HTTPServerLimits()
    /// HTTPS for the API, and the CA trusted when forwarding to `https://` peers.
    public var httpTLS = HTTPTLS()
    public var submitPolicy = SubmitPolicy()
    /// How long an idempotency key dedupes after its job was created; a later submit with the key creates a new
    /// job. Zero keeps keys forever.
    public var idempotencyRetention: Duration = .seconds(24 * 3600)
    /// How long finished jobs (succeeded, failed, cancelled with no run out) and finished runs of recurring jobs
    /// are kept before the leader purges them (`RetentionPurger`); zero keeps them forever. Purging a job frees
    /// its idempotency key.
    public var retention: Duration = .seconds(7 * 24 * 3600)
    /// How often the leader looks for finished jobs and runs older than `retention` when it found no backlog.
    public var retentionInterval: Duration = .seconds(60)
    /// Most rows (runs, and jobs with theirs) one purge entry deletes.
    public var retentionBatch = 500
    /// Most runs published per due-timer pass.
    public var publishBatch = 1024
    /// How far ahead of now the leader's due-timer holds scheduled runs in memory; later ones stay in SQLite
    /// until index scans reach them (see `DueWindow`).
    public var dueWindow: Duration = .seconds(300)
    /// Most scheduled runs the due-timer holds in memory at once.
    public var dueWindowCapacity = 100_000
    /// How often the leader samples the JetStream queues (and the runs due but unpublished) for `/metrics`.
    public var queueSampleInterval: Duration = .seconds(5)
    /// How many flows get a `flow` label of their own in `/metrics` (the most held back); the rest are summed.
    public var flowMetricsKeys = 20
    /// A recurring job's run published more than this late counts as missed, and its misfire policy applies.
    public var misfireThreshold: Duration = .seconds(60)
    /// How often the leader looks for published runs whose message JetStream lost (`DueTimer`); it also
    /// looks when it starts leading and when its NATS connection is re-established.
    public var reconcileInterval: Duration = .seconds(30)
    /// No published run is looked up in its stream sooner than this after its publish, however short the
    /// in-flight bound its job and queue give (`LostRunPolicy`).
    public var lostRunAfter: Duration = .seconds(60)
    /// The queues' consumers and back-off (the `--config` file; defaults otherwise), for how long a run can
    /// legitimately be in flight.
    public var queues = QueueConfig()
    /// The node's place in the shard's Raft group; the default is a group of one.
    public var cluster = RaftClusterConfiguration()

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    /// Why these retentions let dedupe end before `idempotencyRetention` says (a purged job frees its key), or nil.
    public var retentionWarning: String? {
        let jobs = retention.nanoseconds
        let keys = idempotencyRetention.nanoseconds
        guard jobs > 0, keys == 0 || jobs < keys else { return nil }
        return "--retention (\(DurationText.format(ns: jobs))) is shorter than --idempotency-retention "
            + "(\(keys == 0 ? "forever" : DurationText.format(ns: keys))): a finished job's "
            + "idempotency key is freed when the job is purged, so a key dedupes for as little as the job's run time "
            + "plus --retention"
    }

    public var databasePath: String { "\(dataDirectory)/shard-\(shard).sqlite" }

    /// This node's API address as peers reach it: `https://` when it serves TLS.
    public var httpAddress: HostPort {
        HostPort(host: httpHost, port: httpPort, secure: httpTLS.server != nil)
    }
}

/// A configuration that cannot work, named in terms of the option to fix.
public struct ShardConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
