import Dispatch
import Foundation
import Synchronization

/// A second SIGTERM or SIGINT stops the process at once: the first starts a graceful stop (a drain can take its
/// whole timeout), and a person at a terminal pressing Ctrl-C again, or a supervisor signalling again, means now.
/// ServiceLifecycle handles the first and ignores any later one; these handlers run beside its own.
enum SecondSignal {
    private static let received = Atomic<Int>(0)
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    private static let installOnce: Void = {
        sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                guard received.add(1, ordering: .relaxed).newValue >= 2 else { return }
                FileHandle.standardError.write(Data("tock: a second signal: stopping now\n".utf8))
                _exit(128 + number)
            }
            source.resume()
            return source
        }
    }()

    /// Call at the start of a long-running command.
    static func install() {
        installOnce
    }
}
