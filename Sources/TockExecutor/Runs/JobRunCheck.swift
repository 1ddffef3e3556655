import Foundation
import TockCore
import TockModel
import TockWire

/// What the executor requires of a run before it calls anybody. Anyone who can publish on `tock.jobs.>` can put
/// a well-formed `JobRun` there, so the fields that reach a request line, a header, a timer or a completion are
/// held to what a shard would have published; a run that fails is terminated and counted, never called.
///
/// Refused (`MessageProblem`): a subject that is not `tock.jobs.<the run's priority>.<the run's shard>`; a job id
/// that is not a Tock id of that shard (it goes into `Tock-Job-Id` and names the completion's job); run 0; a URL
/// that is not absolute http or https with a host (the HTTP client would also dial `unix://` sockets); a method
/// that is not an HTTP token; a header name that is not a token, a header HTTP itself frames the request with,
/// or a value with CR, LF, NUL or another control character; an idempotency key with one (it is a header
/// value); a timeout or max attempts of 0; a due time more than 100 years from now. For a run whose destination is
/// a NATS subject: a subject or header `NATSTargetRules` refuses (Tock's own subjects, the server's, replies;
/// JetStream's `Nats-*` headers), or a header value with a control character.
///
/// Accepted with clamping: a timeout above the longest a shard accepts is cut to it (a slot held for 49 days
/// would be lost to everyone else). Accepted as is: the body (the broker's `max_payload` bounds it), any number
/// of attempts, the publish time and trace id (not used to call the webhook).
struct JobRunCheck {
    /// The longest timeout a shard accepts (`SubmitPolicy.maxTimeoutNs`).
    static let maxTimeoutMs = UInt32(clamping: SubmitPolicy().maxTimeoutNs / 1_000_000)
    /// Headers the HTTP client frames the request with; a run may not set them.
    static let framingHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection"]

    /// The run as it may be called, or why not. `subject` is the one JetStream delivered it on.
    static func check(_ run: JobRun, subject: String, nowNs: Int64) throws(MessageProblem) -> JobRun {
        guard let (priority, shard) = Subjects.parseJobs(subject) else {
            throw MessageProblem(.subject, "\(subject) is not tock.jobs.<priority>.<shard>")
        }
        guard priority == run.priority, shard == run.shard else {
            throw MessageProblem(
                .subject, "a run of shard \(run.shard), priority \(run.priority.rawValue) on \(subject)")
        }
        guard JobID.shard(of: run.jobID) == run.shard else {
            throw MessageProblem(
                .invalid, field: "job_id", "'\(run.jobID.utf8Prefix(64))' is not a job id of shard \(run.shard)")
        }
        guard run.run >= 1 else { throw MessageProblem(.invalid, field: "run", "runs count from 1") }
        switch run.destination {
        case .webhook: try checkTarget(run.target, format: run.webhookFormat)
        case .nats(let message): try checkNATSTarget(message)
        case .timer: break
        }
        guard HTTPFieldSyntax.isFieldValue(run.idempotencyKey) else {
            throw MessageProblem(.invalid, field: "idempotency_key", "holds a control character")
        }
        guard run.timeoutMs >= 1 else { throw MessageProblem(.invalid, field: "timeout_ms", "is 0") }
        guard run.maxAttempts >= 1 else { throw MessageProblem(.invalid, field: "max_attempts", "is 0") }
        guard TimeWindow.around(nowNs).contains(run.dueAtNs) else {
            throw MessageProblem(
                .invalid, field: "due_at_ns", "\(run.dueAtNs) is not within \(TimeWindow.spanText) of now")
        }
        var run = run
        run.timeoutMs = min(run.timeoutMs, maxTimeoutMs)
        return run
    }

    private static func checkTarget(_ target: HTTPTarget, format: WebhookFormat) throws(MessageProblem) {
        guard let components = URLComponents(string: target.url),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            throw MessageProblem(
                .invalid, field: "target.url",
                "'\(target.url.utf8Prefix(256))' is not an absolute http or https URL")
        }
        // The scheduled-db format always sends POST, whatever the run says.
        guard format == .scheduledDB || HTTPFieldSyntax.isToken(target.method) else {
            throw MessageProblem(
                .invalid, field: "target.method", "'\(target.method.utf8Prefix(64))' is not an HTTP method")
        }
        for header in target.headers {
            guard HTTPFieldSyntax.isToken(header.name), !framingHeaders.contains(header.name.lowercased()) else {
                throw MessageProblem(
                    .invalid, field: "target.headers",
                    "'\(header.name.utf8Prefix(64))' is not a header name a job may set")
            }
            guard HTTPFieldSyntax.isFieldValue(header.value) else {
                throw MessageProblem(
                    .invalid, field: "target.headers",
                    "the value of '\(header.name.utf8Prefix(64))' holds a control character")
            }
        }
    }

    private static func checkNATSTarget(_ message: NATSTarget) throws(MessageProblem) {
        if let problem = NATSTargetRules.problem(withSubject: message.subject) {
            throw MessageProblem(
                .invalid, field: "nats_target.subject", "'\(message.subject.utf8Prefix(64))' \(problem)")
        }
        for header in message.headers {
            if let problem = NATSTargetRules.problem(withHeaderName: header.name.utf8Prefix(64)) {
                throw MessageProblem(.invalid, field: "nats_target.headers", problem)
            }
            guard HTTPFieldSyntax.isFieldValue(header.value) else {
                throw MessageProblem(
                    .invalid, field: "nats_target.headers",
                    "the value of '\(header.name.utf8Prefix(64))' holds a control character")
            }
        }
    }
}
