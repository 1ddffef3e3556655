import Foundation
import TockModel
import TockTestSupport

/// `tock executor` processes against a harness's nats-server, named `executor-1`, `executor-2`, …, each logging
/// to `<name>.log` in the harness's data directory. They may call loopback addresses (the sink).
final class ExecutorProcesses: @unchecked Sendable {
    // Mutated only from the test's own task, between awaits.
    private let harness: TockHarness
    private var processes: [String: Process] = [:]
    private var launched: [String] = []
    /// Each executor's `/metrics` base URL.
    private var metrics: [String: String] = [:]
    /// The sink path of `warmUp`'s jobs.
    static let warmUpPath = "/warm-up"

    init(harness: TockHarness) {
        self.harness = harness
    }

    /// Starts `count` more executors and returns once each is ready (its `/readyz`: connected, consumers bound),
    /// so that runs published from then on are fetched as they come rather than piling up for a late starter.
    func start(_ count: Int) async throws {
        var started: [String: String] = [:]
        for _ in 0..<count {
            let name = "executor-\(launched.count + 1)"
            let address = "127.0.0.1:\(freeLoopbackPort())"
            processes[name] = try TockBinary.launch(
                [
                    "executor", "--nats-url", harness.nats.url, "--id", name, "--metrics", address,
                    "--allow-egress", "127.0.0.0/8", "--log-level", "warning",
                ], log: logURL(name))
            launched.append(name)
            started[name] = "http://\(address)"
        }
        metrics.merge(started) { _, new in new }
        for (name, base) in started {
            _ = try await eventually(within: .seconds(20), "\(name) to be ready") {
                (try? await harness.request(.GET, "/readyz", base: base))?.status == 200 ? true : nil
            }
        }
    }

    /// Runs jobs of no flow, of every priority, through the shard at `base` (one round every 250 ms, to the sink's
    /// `warmUpPath`) until every executor has fetched a run of each priority. An executor dispatches nothing while
    /// the first fetch of one of its priorities is out (until then the priority counts as having work: the
    /// `WaitingRuns` picker waits for it), and an idle priority's first fetch takes its expiry, 1 s: runs fetched
    /// meanwhile would go out together, bunching the first second's calls at the sink.
    func warmUp(through base: String) async throws {
        var lastRound = ContinuousClock.now - .seconds(1)
        _ = try await eventually(within: .seconds(30), "every executor to fetch a run of each priority") {
            var unfetched: Set<Priority> = []
            for url in metrics.values {
                guard let text = try? await ObservabilityTests.metrics(url) else {
                    unfetched.formUnion(Priority.allCases)
                    continue
                }
                for priority in Priority.allCases
                where (text.value("tock_executor_runs_fetched_total", ["priority": priority.rawValue]) ?? 0) < 1 {
                    unfetched.insert(priority)
                }
            }
            guard !unfetched.isEmpty else { return true }
            if ContinuousClock.now - lastRound >= .milliseconds(250) {
                lastRound = ContinuousClock.now
                for priority in unfetched {
                    _ = try await harness.submit(
                        #"{"url": "\#(harness.sink.baseURL)\#(Self.warmUpPath)", "priority": "\#(priority.rawValue)"}"#,
                        base: base)
                }
            }
            return nil
        }
    }

    func stopAll() {
        for (_, process) in processes where process.isRunning {
            process.stop()
        }
        processes = [:]
    }

    /// The end of every executor's log, for a failed test.
    func printLogs() {
        for name in launched {
            let text = (try? String(contentsOf: logURL(name), encoding: .utf8)) ?? ""
            print(
                "----- \(name).log (last 20 lines)\n" + text.split(separator: "\n").suffix(20).joined(separator: "\n"))
        }
    }

    private func logURL(_ name: String) -> URL {
        harness.dataDirectory.appendingPathComponent("\(name).log")
    }
}
