import Foundation
import TockNATS
import XCTest

/// The executor's path through a broker crash (ops/chaos "nats-kill"): runs fetched and kept alive with InProgress,
/// their completions published while nats-server is down (cnats times them out), the server restarted on the same
/// store as the timeouts fire, the completions published again and the runs acked, while small fetches go on.
///
/// The pull requests cnats buffered during the outage are answered after the reconnect, so later fetches start
/// with messages already queued: the case where cnats 3.4.1's fetch wrote past its array (see
/// `SubscriptionHandle.fetch`). Without the guard there, 3 of 8 runs of this test aborted on a corrupted heap.
final class PublishTimeoutAcrossCrashTests: NATSTestCase {
    override var publishTimeout: Duration { .seconds(1) }

    func testAckAfterCompletionsTimedOutAcrossAServerCrash() async throws {
        let cycles = Int(ProcessInfo.processInfo.environment["TOCK_CRASH_CYCLES"] ?? "") ?? 5
        try jetStream.ensureStream(StreamConfig(name: "DONE", subjects: ["done.>"]))
        try jetStream.ensureStream(StreamConfig(name: "JOBS", subjects: ["jobs.>"], retention: .workQueue))
        try jetStream.ensureConsumer(stream: "JOBS", ConsumerConfig(durable: "workers", filterSubject: "jobs.>"))
        // As in the executor: the fetcher has a connection of its own, completions go through another.
        let pullConnection = try NATSConnection.connect(url: server.url, name: "fetcher")
        defer { pullConnection.close() }
        let subscription = try pullConnection.jetStream(publishTimeout: publishTimeout)
            .pullSubscribe(stream: "JOBS", durable: "workers", filter: "jobs.>")
        let jetStream = try XCTUnwrap(self.jetStream)

        for cycle in 0..<cycles {
            let held = try await fetchFreshRuns(count: 32, cycle: cycle, subscription: subscription)
            let keepAlive = Task.detached {
                while !Task.isCancelled {
                    for message in held { try? message.inProgress() }
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }

            // The executor keeps fetching small batches through the outage and the reconnect.
            let fetching = Task.detached {
                var late: [JetStreamMessage] = []
                while !Task.isCancelled {
                    late += (try? await subscription.fetch(batch: 3, expires: .milliseconds(100))) ?? []
                    for message in late { try? message.inProgress() }
                }
                return late
            }

            server.crash()
            let noticed = await eventually { !self.connection.isConnected && !pullConnection.isConnected }
            XCTAssertTrue(noticed, "the clients did not notice the crash")
            let restart = Task.detached { [server, publishTimeout] in
                // Back just as cnats times the first completions out, as in the chaos run.
                try await Task.sleep(for: publishTimeout)
                try server?.restart()
            }

            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, message) in held.enumerated() {
                    group.addTask {
                        try await Self.complete(message, id: "\(cycle)-\(index)", on: jetStream)
                    }
                }
                try await group.waitForAll()
            }
            try await restart.value
            keepAlive.cancel()
            await keepAlive.value
            fetching.cancel()
            for message in await fetching.value { try message.ack() }
        }

    }

    private func fetchFreshRuns(count: Int, cycle: Int, subscription: PullSubscription) async throws
        -> [JetStreamMessage]
    {
        let jetStream = try XCTUnwrap(self.jetStream)
        var published = 0
        let deadline = ContinuousClock.now + .seconds(20)
        // The server may just have restarted: JetStream can take a moment to answer.
        while published < count, ContinuousClock.now < deadline {
            do {
                _ = try await jetStream.publish(
                    subject: "jobs.\(cycle).\(published)", payload: Array(repeating: 7, count: 200),
                    msgID: "job-\(cycle)-\(published)")
                published += 1
            } catch {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        XCTAssertEqual(published, count, "could not publish the runs")
        var fetched: [JetStreamMessage] = []
        while fetched.count < count, ContinuousClock.now < deadline {
            fetched += (try? await subscription.fetch(batch: count - fetched.count, expires: .milliseconds(500))) ?? []
        }
        XCTAssertEqual(fetched.count, count, "could not fetch the runs")
        return fetched
    }

    /// Like `Executor.finish`: publish the completion (retrying through the outage), then ack.
    private static func complete(_ message: JetStreamMessage, id: String, on jetStream: JetStream) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            do {
                _ = try await jetStream.publish(
                    subject: "done.\(id)", payload: Array(repeating: 9, count: 120),
                    msgID: "done-\(id)")
                break
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        try message.ack()
    }
}
