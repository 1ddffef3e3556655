import TockCore
import TockModel
import TockWire

/// What the shard requires of a completion before it proposes "done". Anyone who can publish on `tock.done.<shard>`
/// can put a well-formed `Completion` there, and what the leader proposes every replica stores and every reader
/// renders, so each field is held to what an executor would have sent.
///
/// Refused (`MessageProblem`): a completion of another shard; a job id that is not a Tock id of this shard; run 0;
/// 0 attempts; an HTTP status other than 0 (no answer) or 100 to 999; a start or finish time more than 100 years
/// from now. A well-formed id of a job this shard does not hold is accepted: it changes nothing.
///
/// Accepted with clamping: the error text is cut to `maxErrorBytes` and the executor id to `maxExecutorIDBytes`
/// (UTF-8), so one batch of completions stays a small log entry however large the messages were. Accepted as is:
/// any number of attempts from 1 up (stored and shown as a number).
struct CompletionCheck {
    /// Twice what an executor sends (1,024 characters of the answer): room for multi-byte text.
    static let maxErrorBytes = 2048
    static let maxExecutorIDBytes = 256

    /// The completion as it may be proposed, or why not.
    static func check(_ completion: Completion, shard: UInt32, nowNs: Int64) throws(MessageProblem) -> Completion {
        guard completion.shard == shard else {
            throw MessageProblem(.subject, "a completion of shard \(completion.shard) on the subject of shard \(shard)")
        }
        guard JobID.shard(of: completion.jobID) == shard else {
            throw MessageProblem(
                .invalid, field: "job_id",
                "'\(completion.jobID.utf8Prefix(64))' is not a job id of shard \(shard)")
        }
        guard completion.run >= 1 else { throw MessageProblem(.invalid, field: "run", "runs count from 1") }
        guard completion.attempts >= 1 else { throw MessageProblem(.invalid, field: "attempts", "is 0") }
        guard completion.httpStatus == 0 || (100...999).contains(completion.httpStatus) else {
            throw MessageProblem(.invalid, field: "http_status", "\(completion.httpStatus) is not an HTTP status")
        }
        let window = TimeWindow.around(nowNs)
        for (field, ns) in [("started_at_ns", completion.startedAtNs), ("finished_at_ns", completion.finishedAtNs)] {
            guard window.contains(ns) else {
                throw MessageProblem(.invalid, field: field, "\(ns) is not within \(TimeWindow.spanText) of now")
            }
        }
        if completion.outcome == .retry, !window.contains(completion.retryAtNs) {
            throw MessageProblem(
                .invalid, field: "retry_at_ns", "\(completion.retryAtNs) is not within \(TimeWindow.spanText) of now")
        }
        var completion = completion
        completion.error = completion.error.utf8Prefix(maxErrorBytes)
        completion.executorID = completion.executorID.utf8Prefix(maxExecutorIDBytes)
        return completion
    }
}
