#if canImport(Glibc)
    import Glibc

    /// A trap or a stack overflow in an example ends the test process with a signal, which XCTest cannot turn into a
    /// failure; this writes the target and the example's seed to stderr first, then lets the signal go on to the
    /// handler it replaced (Swift's backtracer, or the default), so the crash looks as it would have otherwise.
    ///
    /// Only async-signal-safe work happens in the handler: it reads two globals set before each example and calls
    /// `write`. Examples run on one thread at a time.
    enum FuzzCrashNote {
        static func begin(target: String, filter: String) {
            _ = installOnce
            let text = strdup("\nfuzz: \(target) crashed; replay the example: TOCK_FUZZ_SEED=")
            let tail = strdup(" swift test --filter \(filter)\n")
            let (oldText, oldTail) = (crashText, crashTail)
            (crashText, crashTail) = (text, tail)
            free(oldText)
            free(oldTail)
        }

        static func example(_ seed: UInt64) { crashSeed = seed }

        static func end() {
            let (oldText, oldTail) = (crashText, crashTail)
            (crashText, crashTail) = (nil, nil)
            free(oldText)
            free(oldTail)
        }

        private static let installOnce: Void = {
            // The handler must run even when the stack is what overflowed.
            var current = stack_t()
            sigaltstack(nil, &current)
            if current.ss_flags & Int32(SS_DISABLE) != 0 {
                let size = 1 << 16
                var alternate = stack_t(ss_sp: malloc(size), ss_flags: 0, ss_size: size)
                sigaltstack(&alternate, nil)
            }
            for signal in crashSignals {
                var action = SignalAction()
                action.__sigaction_handler.sa_handler = noteCrash
                action.sa_flags = SA_ONSTACK
                sigemptyset(&action.sa_mask)
                sigaction(signal, &action, &previousActions[Int(signal)])
            }
        }()
    }

    private let crashSignals = [SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGSEGV, SIGBUS]
    /// The struct, which Swift otherwise confuses with the function of the same name.
    private typealias SignalAction = sigaction
    nonisolated(unsafe) private var previousActions = [SignalAction](repeating: SignalAction(), count: 64)
    nonisolated(unsafe) private var crashText: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private var crashTail: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private var crashSeed: UInt64 = 0

    private func noteCrash(_ signal: Int32) {
        if let text = crashText, let tail = crashTail {
            _ = write(2, text, strlen(text))
            // The seed in decimal, without allocating.
            var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes, room for 20 digits
            withUnsafeMutableBytes(of: &digits) { buffer in
                var value = crashSeed
                var start = buffer.count
                repeat {
                    start -= 1
                    buffer[start] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                } while value > 0
                _ = write(2, buffer.baseAddress! + start, buffer.count - start)
            }
            _ = write(2, tail, strlen(tail))
        }
        sigaction(signal, &previousActions[Int(signal)], nil)
        // A fault repeats when the handler returns and then reaches the previous handler; a trap instruction or
        // abort() does not, so it is raised again.
        if signal == SIGTRAP || signal == SIGABRT { raise(signal) }
    }
#else
    /// Only on Linux: elsewhere a crash shows no seed.
    enum FuzzCrashNote {
        static func begin(target: String, filter: String) {}
        static func example(_ seed: UInt64) {}
        static func end() {}
    }
#endif
