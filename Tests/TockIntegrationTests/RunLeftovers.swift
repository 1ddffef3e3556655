import TockCore
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

/// What JetStream still holds of one run: its messages in the priority's work-queue stream (the first publish and
/// any republished copy), and what the executors' consumer has not delivered or not had acknowledged. After a
/// run's final outcome all of it must be empty: a dropped ack or term leaves the message stored and unacknowledged.
struct RunLeftovers: CustomStringConvertible {
    /// Stream sequences of the run's messages.
    var storedSequences: [UInt64]
    /// The consumer's, for every run of the priority: a test reading them has no other run of it left.
    var numPending: UInt64
    var numAckPending: Int

    var isEmpty: Bool { storedSequences.isEmpty && numPending == 0 && numAckPending == 0 }

    var description: String {
        "stored at \(storedSequences), consumer pending \(numPending), ack pending \(numAckPending)"
    }

    static func read(jobID: String, run: UInt32, priority: Priority, from js: JetStream) async throws -> RunLeftovers {
        let (stream, consumer) = try await js.state(
            stream: Subjects.jobsStream(priority: priority),
            consumer: Subjects.executorConsumer(priority: priority))
        var stored: [UInt64] = []
        if stream.messages > 0 {
            // Few messages in a test's stream; the bound keeps a runaway one from stalling the test.
            let last = min(stream.lastSequence, stream.firstSequence + 10_000)
            for sequence in stream.firstSequence...last {
                guard
                    let message = try await js.storedMessage(
                        stream: Subjects.jobsStream(priority: priority),
                        sequence: sequence),
                    let id = message.messageID, Subjects.isMessageID(id, ofJob: jobID, run: run)
                else { continue }
                stored.append(sequence)
            }
        }
        return RunLeftovers(
            storedSequences: stored, numPending: consumer.numPending,
            numAckPending: consumer.numAckPending)
    }
}

/// Fails unless JetStream holds nothing of the run within `limit`: its message acked or terminated, none pending.
/// The wait covers only the ack's trip to the broker after the completion that ended the run, well short of any ack
/// wait, so a message left unacknowledged cannot come and go unseen.
func assertNothingLeft(
    ofJob jobID: String, run: UInt32 = 1, priority: Priority = .normal, natsURL: String,
    within limit: Duration = .seconds(3), file: StaticString = #filePath, line: UInt = #line
)
    async throws
{
    let connection = try NATSConnection.connect(url: natsURL)
    defer { connection.close() }
    let js = try connection.jetStream()
    var last: RunLeftovers?
    _ = try await eventually(
        within: limit, "JetStream to hold nothing of \(jobID)/\(run); \(String(describing: last))",
        file: file, line: line
    ) {
        let leftovers = try await RunLeftovers.read(jobID: jobID, run: run, priority: priority, from: js)
        last = leftovers
        return leftovers.isEmpty ? true : nil
    }
}
