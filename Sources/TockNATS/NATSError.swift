import CNats
import Foundation

/// A failed cnats call: its `natsStatus`, the JetStream API error code (if the server sent one)
/// and the text cnats recorded for the failure on the calling thread.
public struct NATSError: Error, CustomStringConvertible, Sendable {
    /// `natsStatus` raw value (`NATS_TIMEOUT`, `NATS_NOT_FOUND`, ...).
    public let status: Int32
    /// `jsErrCode` raw value (e.g. 10059 stream not found), 0 when the server sent none.
    public let jetStreamCode: Int
    /// What was attempted, followed by cnats' error text and error stack when it had one.
    public let message: String

    public init(status: Int32, jetStreamCode: Int = 0, message: String) {
        self.status = status
        self.jetStreamCode = jetStreamCode
        self.message = message
    }

    public var isTimeout: Bool { status == NATSError.raw(NATS_TIMEOUT) }

    /// Stream, consumer or message not found, whether cnats said so with a status or only the
    /// server said so with a JetStream code.
    public var isNotFound: Bool {
        status == NATSError.raw(NATS_NOT_FOUND)
            || [10059, 10014, 10037].contains(jetStreamCode)
    }

    /// The connection is (for now, or for good) unable to carry traffic.
    public var isConnectionProblem: Bool {
        [
            NATS_CONNECTION_CLOSED, NATS_CONNECTION_DISCONNECTED, NATS_NO_SERVER,
            NATS_NOT_YET_CONNECTED, NATS_STALE_CONNECTION,
        ]
        .map(NATSError.raw).contains(status)
    }

    /// Nobody answered: no service subscribes to a request's subject (`NATSConnection.request`),
    /// no stream captures the subject, or JetStream is not (yet) running, as briefly happens
    /// right after a server restart.
    public var isNoResponders: Bool { status == NATSError.raw(NATS_NO_RESPONDERS) }

    public var description: String {
        let name = String(cString: natsStatus_GetText(natsStatus(rawValue: UInt32(bitPattern: status))))
        let code = jetStreamCode == 0 ? "" : ", JetStream code \(jetStreamCode)"
        return "NATSError(\(name) [\(status)\(code)]): \(message)"
    }

    static func raw(_ status: natsStatus) -> Int32 { Int32(bitPattern: status.rawValue) }
}

extension NATSError {
    /// The one place where a cnats status becomes a Swift error.
    ///
    /// Must run on the thread that made the failing call, with no other cnats call in between:
    /// cnats keeps the error text and stack in thread-local storage. `detail` replaces that text
    /// when cnats hands the error over explicitly (publish-ack callbacks).
    static func make(
        _ status: natsStatus,
        jsCode: jsErrCode = jsErrCode(rawValue: 0),
        operation: String,
        detail: String? = nil
    ) -> NATSError {
        var text = operation
        if let detail, !detail.isEmpty {
            text += ": " + detail
        } else if let last = lastErrorText(for: status) {
            text += ": " + last
        }
        return NATSError(status: raw(status), jetStreamCode: Int(jsCode.rawValue), message: text)
    }

    /// Errors raised by this module itself (closed handles, bad arguments), in cnats' vocabulary
    /// so callers test one set of properties.
    static func local(_ status: natsStatus, _ message: String) -> NATSError {
        NATSError(status: raw(status), message: message)
    }

    /// The thread's last error, but only if it belongs to this failure: cnats does not clear it,
    /// so a status that was returned without setting it would otherwise show a stale message.
    private static func lastErrorText(for status: natsStatus) -> String? {
        var lastStatus = NATS_OK
        guard let cText = nats_GetLastError(&lastStatus), lastStatus == status else { return nil }
        var text = String(cString: cText).trimmingCharacters(in: .whitespaces)
        let stackText = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 2048) { buffer -> String? in
            buffer.initialize(repeating: 0)
            guard nats_GetLastErrorStack(buffer.baseAddress, buffer.count) == NATS_OK else { return nil }
            return String(cString: buffer.baseAddress!)
        }
        if let stackText {
            let stack =
                stackText
                .split(separator: "\n")
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            if !stack.isEmpty { text += (text.isEmpty ? "" : " ") + "[" + stack.joined(separator: " | ") + "]" }
        }
        return text
    }
}

/// Throws the `NATSError` for `status` unless it is `NATS_OK`.
@inline(__always)
func natsCheck(
    _ status: natsStatus,
    jsCode: jsErrCode = jsErrCode(rawValue: 0),
    _ operation: @autoclosure () -> String
) throws {
    guard status != NATS_OK else { return }
    throw NATSError.make(status, jsCode: jsCode, operation: operation())
}
