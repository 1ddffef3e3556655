import Logging

/// What a consumer does with a message once it is done with it, or to keep it.
public enum Settlement: Sendable, CustomStringConvertible {
    case ack
    /// Redeliver, after `delay` if given.
    case nak(delay: Duration? = nil)
    /// Never redeliver (a poison message, or a run that ended).
    case term
    /// Extend the ack wait.
    case inProgress

    public var description: String {
        switch self {
        case .ack: "ack"
        case .nak(let delay): delay.map { "nak (delay \($0))" } ?? "nak"
        case .term: "term"
        case .inProgress: "in-progress"
        }
    }
}

extension JetStreamMessage {
    /// Settles the message and logs a failure rather than throwing it: a consumer can do nothing better than go
    /// on, since the broker redelivers a message it did not hear about after the ack wait, but the log then
    /// explains the repeat. Fails when the connection is closed or down.
    @discardableResult
    public func settle(_ settlement: Settlement, logger: Logger, _ metadata: Logger.Metadata = [:]) -> Bool {
        do {
            switch settlement {
            case .ack: try ack()
            case .nak(let delay): try nak(delay: delay)
            case .term: try term()
            case .inProgress: try inProgress()
            }
            return true
        } catch {
            var metadata = metadata
            metadata["subject"] = "\(subject)"
            metadata["stream_sequence"] = "\(self.metadata.streamSequence)"
            metadata["error"] = "\(error)"
            logger.warning("cannot \(settlement) a message; it comes back after its ack wait", metadata: metadata)
            return false
        }
    }
}
