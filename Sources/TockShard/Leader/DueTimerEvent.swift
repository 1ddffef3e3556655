import TockCore
import TockModel
import TockNATS
import TockWire

/// What the `DuePublisher` actor tells its `DueTimer`: new runs, and the answers to the actions the timer asked
/// for. Each answer carries what the action was about, so the timer needs no memory of requests in flight beyond
/// the run keys it keeps out of the heap.
enum DueTimerEvent: Sendable, Equatable {
    /// Newly committed scheduled runs.
    case scheduled([DueEntry])
    /// A window scan read these rows, in key order.
    case scanned(DueWindow.Scan, rows: [DueEntry])
    case scanFailed(DueWindow.Scan)
    /// The jobs of a round of due runs, read again from the tables: those still scheduled for that run and not
    /// paused (runs cancelled, paused or already moved on are left out).
    case loaded([DueEntry], jobs: [DueCandidate])
    /// The round's jobs could not be read; the runs are retried after the back-off.
    case loadFailed([DueEntry])
    /// JetStream acked `acked`; `failed` could not be published.
    case published(acked: [PublishAck], failed: [DueEntry])
    /// The "published" commit of `acks` ended; a failed one is published again (same message id) and committed then.
    case commitAnswered([PublishAck], committed: Bool)
    case skipAnswered(RecurrencePlan.Skip, committed: Bool)
    /// The NATS connection was re-established: the server may have come back with an empty store.
    case brokerReconnected
    /// Reconciliation read these pages of published runs (one per `LostRunSweep.Scan` asked for).
    case overdueRead([LostRunSweep.Page])
    case overdueReadFailed
    /// The streams' answers for the runs looked up, in order; `failed` when a look-up failed and the rest of the
    /// runs were not asked about.
    case lookedUp([RunLookUp], failed: Bool)
    /// Whether every completion waiting in `TOCK_DONE` was committed within the settle wait.
    case completionsSettled(Bool)
    /// The lost runs handed out were published again, or failed to be (a later pass finds those again).
    case republishAnswered
    /// Completions of these runs (by run key) were committed as done.
    case finished([String])
    case flowsRead([FlowGate.Reading])
    case flowsReadFailed([FlowID])
}

/// A due run's job as read for publishing, and whether an earlier run of it is still out (for overlap rules).
struct DueCandidate: Sendable, Equatable {
    var job: Job
    var previousRunOut: Bool
}

/// A run JetStream acked, with what the commit and the metrics need.
struct PublishAck: Sendable, Equatable {
    var run: PublishedRun
    var priority: Priority
    var lane: DueLane
    var dueAtNs: Int64
    var ackedAtNs: Int64

    var key: String { Subjects.runMessageID(jobID: run.jobID, run: run.run) }
}

/// A published run and the message its stream holds at the run's sequence (nil: none).
struct RunLookUp: Sendable, Equatable {
    var run: PublishedRunRow
    var stored: StoredMessage?
}
