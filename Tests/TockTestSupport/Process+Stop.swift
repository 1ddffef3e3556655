import Foundation

extension Process {
    /// Waits up to `timeout` for the process to exit; false if it is still running.
    public func waitForExit(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }

    /// SIGTERM (after SIGCONT, in case a test paused it), then SIGKILL if it has not exited within `grace`: a
    /// process that does not stop fails its own test, not every test after it by hanging the suite.
    public func stop(grace: Duration = .seconds(10)) {
        guard isRunning else { return }
        kill(processIdentifier, SIGCONT)
        terminate()
        if !waitForExit(within: grace) {
            kill(processIdentifier, SIGKILL)
            _ = waitForExit(within: .seconds(5))
        }
    }
}
