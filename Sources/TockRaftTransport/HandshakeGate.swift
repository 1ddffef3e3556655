import Synchronization

/// The state of one connection's handshake, shared by the task that runs it and the channel's event loop: until
/// the gate opens the frame decoder accepts only handshake-sized frames, and the handshake timer closes the
/// connection.
final class HandshakeGate: Sendable {
    private let opened = Atomic<Bool>(false)
    private let expired = Atomic<Bool>(false)

    var isOpen: Bool { opened.load(ordering: .acquiring) }
    /// The timer closed the connection before the handshake finished.
    var hasExpired: Bool { expired.load(ordering: .acquiring) }

    /// The other side proved itself: frames of any size may follow, and the timer does nothing.
    func open() {
        opened.store(true, ordering: .releasing)
    }

    /// The timer fired: true if the handshake had not finished (the caller then closes the connection).
    func expire() -> Bool {
        guard !isOpen else { return false }
        expired.store(true, ordering: .releasing)
        return true
    }
}
