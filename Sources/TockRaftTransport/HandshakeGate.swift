import Synchronization

/// The state of one connection's handshake, shared by the task that runs it and the channel's event loop: until
/// the gate opens the frame decoder accepts only handshake-sized frames, and the handshake timer closes the
/// connection. The gate also hands the decoder the seal that frames after the handshake must carry.
final class HandshakeGate: Sendable {
    private let opened = Atomic<Bool>(false)
    private let expired = Atomic<Bool>(false)
    private let openingSeal = Mutex<FrameSeal?>(nil)

    var isOpen: Bool { opened.load(ordering: .acquiring) }
    /// The timer closed the connection before the handshake finished.
    var hasExpired: Bool { expired.load(ordering: .acquiring) }

    /// The other side proved itself: frames of any size may follow, each with `seal`'s tag (none without a
    /// secret), and the timer does nothing.
    func open(seal: FrameSeal? = nil) {
        openingSeal.withLock { $0 = seal }
        opened.store(true, ordering: .releasing)
    }

    /// The seal `open` was given, once: the decoder keeps it (and its sequence numbers) from then on.
    func takeSeal() -> FrameSeal? {
        openingSeal.withLock { seal in
            defer { seal = nil }
            return seal
        }
    }

    /// The timer fired: true if the handshake had not finished (the caller then closes the connection).
    func expire() -> Bool {
        guard !isOpen else { return false }
        expired.store(true, ordering: .releasing)
        return true
    }
}
