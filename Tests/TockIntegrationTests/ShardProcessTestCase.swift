import XCTest

/// A test with a real nats-server and sink (the harness, running no shard or executor of its own), one
/// single-node `tock shard` process started for it, and the executor processes it starts; their logs are printed
/// when it fails.
class ShardProcessTestCase: XCTestCase {
    var tock: TockHarness!
    var shard: ShardProcess!
    var executors: ExecutorProcesses!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
        shard = ShardProcess(harness: tock)
        executors = ExecutorProcesses(harness: tock)
        try await shard.start()
    }

    override func tearDown() async throws {
        executors?.stopAll()
        shard?.stop()
        if (testRun?.totalFailureCount ?? 0) > 0 {
            shard?.printLog()
            executors?.printLogs()
        }
        await tock?.shutdown()
    }
}
