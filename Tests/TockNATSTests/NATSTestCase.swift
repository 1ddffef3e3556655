import Foundation
import TockNATS
import TockTestSupport
import XCTest

/// Starts a fresh nats-server per test and connects to it.
class NATSTestCase: XCTestCase {
    var server: NATSServerProcess!
    var connection: NATSConnection!
    var jetStream: JetStream!

    /// Overridable: the reconnect test wants failures to surface quickly.
    var publishTimeout: Duration { .seconds(5) }

    override func setUpWithError() throws {
        server = try NATSServerProcess.start()
        connection = try NATSConnection.connect(url: server.url, name: name)
        jetStream = try connection.jetStream(publishTimeout: publishTimeout)
    }

    override func tearDown() {
        jetStream = nil
        connection?.close()
        connection = nil
        server = nil
    }

    func makeWorkQueue(
        _ stream: String = "JOBS",
        subject: String = "jobs.>",
        consumer: ConsumerConfig? = nil
    ) throws -> PullSubscription {
        try jetStream.ensureStream(StreamConfig(name: stream, subjects: [subject], retention: .workQueue))
        let config = consumer ?? ConsumerConfig(durable: "workers", filterSubject: subject)
        try jetStream.ensureConsumer(stream: stream, config)
        return try jetStream.pullSubscribe(stream: stream, durable: config.durable, filter: config.filterSubject)
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(10),
    every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

extension Duration {
    var seconds: Double {
        let (whole, atto) = components
        return Double(whole) + Double(atto) / 1e18
    }
}
