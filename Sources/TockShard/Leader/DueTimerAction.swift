import TockCore

/// What a `DueTimer` asks its actor to do. Each action is answered by one `DueTimerEvent` (named beside it),
/// and actions run concurrently: a slow stream look-up does not hold up publishing.
enum DueTimerAction: Sendable, Equatable {
    /// Read a page of scheduled runs from the index → `.scanned` or `.scanFailed`.
    case scan(DueWindow.Scan)
    /// Read the jobs of these due runs → `.loaded` or `.loadFailed`.
    case load([DueEntry])
    /// Publish these runs to their job streams with their run message ids, stamped `atNs` → `.published`.
    case publish([DueRun], atNs: Int64)
    /// Commit these runs as published → `.commitAnswered`.
    case commit([PublishAck])
    /// Commit that a recurring job's run is skipped → `.skipAnswered`.
    case skip(RecurrencePlan.Skip, atNs: Int64)
    /// Reconciliation: read these pages of published runs → `.overdueRead` or `.overdueReadFailed`.
    case readOverdue([LostRunSweep.Scan])
    /// Look each run up in its stream by its sequence, in order, stopping at the first failure → `.lookedUp`.
    case lookUp([PublishedRunRow])
    /// Wait (bounded) for the completions in `TOCK_DONE` to be committed → `.completionsSettled`.
    case awaitCompletions
    /// Read these runs again and publish those still out under a message id of their own, then commit the new
    /// sequences → `.republishAnswered`.
    case republish([PublishedRunRow])
    /// Read these flows' limits (and, when asked, their runs published and not done) → `.flowsRead` or
    /// `.flowsReadFailed`.
    case readFlows([FlowGate.Read])
}

/// A run to publish, with the time of its job's next run the commit records (nil: one-time, or the schedule ended).
struct DueRun: Sendable, Equatable {
    var job: Job
    var nextDueAtNs: Int64?
}
