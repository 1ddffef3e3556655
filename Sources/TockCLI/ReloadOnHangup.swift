import Dispatch
import Foundation

/// Calls `reload` on every SIGHUP (the usual "re-read your config" signal) until cancelled.
final class ReloadOnHangup {
    private let source: any DispatchSourceSignal

    init(_ reload: @escaping @Sendable () -> Void) {
        // The default action of SIGHUP ends the process; the dispatch source sees it only once it is ignored.
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "tock.sighup"))
        source.setEventHandler(handler: reload)
        source.resume()
    }

    func cancel() {
        source.cancel()
    }
}
