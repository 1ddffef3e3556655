import Synchronization
import TockCore
import TockModel
import TockNATS

/// Publishes the message of a run whose destination is a NATS subject (`Destination.nats`).
///
/// When a stream captures the subject, the message goes through JetStream: the run succeeds only once the PubAck
/// says it is stored, and `Nats-Msg-Id: <job>/<run>` makes the stream drop the copy a retried attempt sends inside
/// its duplicate window. Otherwise it is a plain publish, flushed to the server: at most once per attempt, and
/// nobody may be listening (NATS's own semantics). Which it is, is asked of JetStream (`$JS.API.STREAM.NAMES` with
/// the subject) and remembered for `answerLifetime`; a JetStream publish to a subject no stream captures would wait
/// for a PubAck that never comes, and deliver a copy to plain subscribers on every retry.
///
/// Every message also carries `Tock-Job-Id`, `Tock-Run`, `Tock-Attempt` and `Tock-Due-At`, as a webhook does.
final class NATSMessageDelivery: Sendable {
    static let answerLifetime: Duration = .seconds(5)
    static let maxRemembered = 1024
    static let requestTimeout: Duration = .seconds(2)

    private struct Remembered {
        let captured: Bool
        let until: ContinuousClock.Instant
    }

    private let link: NATSLink
    private let captured = Mutex<[String: Remembered]>([:])

    init(link: NATSLink) {
        self.link = link
    }

    /// The attempt's outcome, in the terms a webhook call's has: `delivered` (status 0, no HTTP answer) once the
    /// message is stored or sent, a retryable failure otherwise.
    func publish(_ target: NATSTarget, of run: JobRun, attempt: UInt64) async -> WebhookResult {
        var headers = target.headers.map { (name: $0.name, value: $0.value) }
        headers += [
            ("Tock-Job-Id", run.jobID), ("Tock-Run", "\(run.run)"), ("Tock-Attempt", "\(attempt)"),
            ("Tock-Due-At", RFC3339.format(ns: run.dueAtNs, fractionDigits: 6)),
        ]
        do {
            if try await streamCaptures(target.subject) {
                let js = try await link.jetStream()
                _ = try await js.publish(
                    subject: target.subject, payload: target.body,
                    msgID: Subjects.runMessageID(jobID: run.jobID, run: run.run),
                    headers: Dictionary(headers.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }))
            } else {
                let connection = try await link.connection()
                try connection.publish(subject: target.subject, data: target.body, headers: headers)
                try await connection.flush(timeout: Self.requestTimeout)
            }
            return .delivered(status: 0)
        } catch {
            return .retryableFailure(
                status: nil, error: "cannot publish to \(target.subject): \(error)", requestedDelay: nil)
        }
    }

    /// Whether a stream captures `subject`, from JetStream or from an answer younger than `answerLifetime`.
    private func streamCaptures(_ subject: String) async throws -> Bool {
        let now = ContinuousClock.now
        if let known = captured.withLock({ $0[subject] }), known.until > now { return known.captured }
        let connection = try await link.connection()
        var request = JSONText(capacity: 32 + subject.utf8.count)
        request.object { json in json.field("subject", subject) }
        let answer = try await connection.request(
            subject: "$JS.API.STREAM.NAMES", data: request.bytes, timeout: Self.requestTimeout)
        guard case .object(let fields)? = JSONValue(parsing: answer.data), fields["error"] == nil else {
            throw NATSTargetError(message: "JetStream did not say which stream captures \(subject)")
        }
        let streams: Bool
        switch fields["streams"] {
        case .array(let names)?: streams = !names.isEmpty
        default: streams = false
        }
        captured.withLock { remembered in
            if remembered.count >= Self.maxRemembered { remembered.removeAll() }
            remembered[subject] = Remembered(captured: streams, until: now + Self.answerLifetime)
        }
        return streams
    }
}

struct NATSTargetError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
