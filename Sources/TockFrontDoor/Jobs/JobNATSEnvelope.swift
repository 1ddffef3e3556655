import TockCore
import TockNATS

/// What `JobNATSService` requires of a request before it reads the payload: a reply subject (without one there is
/// nobody to answer, and a submit nobody hears about is dropped rather than served), a header block that can be
/// read (it may say the payload is protobuf), and a payload no larger than the subject allows — the limit of the
/// same call over HTTP, well below the broker's own `max_payload`.
enum JobNATSEnvelope {
    static func check(_ request: NATSRequest, maxBytes: Int) throws(MessageProblem) {
        guard request.replySubject != nil else {
            throw MessageProblem(.noReply, "a request on \(request.subject) without a reply subject")
        }
        guard request.headersReadable else {
            throw MessageProblem(.headers, "the header block cannot be read")
        }
        guard request.data.count <= maxBytes else {
            throw MessageProblem(.tooLarge, "the payload is \(request.data.count) bytes; the limit is \(maxBytes)")
        }
    }

    /// The error reply for a refused request (never sent for `.noReply`).
    static func failure(_ problem: MessageProblem) -> JobFailure {
        switch problem.reason {
        case .tooLarge: JobFailure(status: 413, code: "too_large", message: problem.message)
        case .headers: JobFailure(status: 400, code: "invalid_headers", message: problem.message)
        default: JobFailure(status: 400, code: "invalid", field: problem.field, message: problem.message)
        }
    }

    /// How a payload the subject's parser refused is counted: not JSON (or not protobuf) at all, or a field at fault.
    static func reason(_ error: FieldError) -> MessageRejection {
        error.code == "invalid_json" || error.code == "invalid_protobuf" ? .undecodable : .invalid
    }
}
