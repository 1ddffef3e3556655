import Foundation
import TockCore
import TockFrontDoor
import TockNATS
import TockShard
import TockTestSupport
import XCTest

/// nats/secure.conf on a real nats-server: a shard, an executor and a client, each logged in as its own user, run
/// a job end to end; what a role is not allowed to send is refused by the server and never stored.
final class NATSPermissionsTests: XCTestCase {
    private static let passwords = [
        "admin": "admin-pw", "shard": "shard-pw", "executor": "executor-pw", "api": "api-pw", "client": "client-pw",
    ]
    private var tock: TockHarness?
    private var apiTask: Task<Void, any Error>?

    override func tearDown() async throws {
        apiTask?.cancel()
        _ = await apiTask?.result
        await tock?.shutdown()
    }

    private static func login(_ user: String, inbox: String? = nil) -> NATSSecurity {
        var security = NATSSecurity()
        security.user = user
        security.password = passwords[user]
        security.inboxPrefix = inbox
        return security
    }

    func testEachRoleRunsItsPartAndNoRoleCanForgeAnothersMessages() async throws {
        let config = TockBinary.repositoryRoot.appendingPathComponent("nats/secure.conf").path
        let environment = Dictionary(
            uniqueKeysWithValues: Self.passwords.map {
                ("TOCK_NATS_\($0.key.uppercased())_PASSWORD", $0.value)
            })
        let nats = try NATSServerProcess.start(configFile: config, environment: environment)
        let admin = try NATSConnection.connect(url: nats.url, security: Self.login("admin"))
        defer { admin.close() }
        let js = try admin.jetStream()
        try JetStreamSetup.apply(QueueConfig(), to: js)

        let tock = try TockHarness(nats: nats, sink: try await WebhookSink.start())
        self.tock = tock
        let shardLogin = Self.login("shard", inbox: "_TOCK.shard")
        try await tock.startShard {
            $0.natsSecurity = shardLogin
            $0.queueSampleInterval = .milliseconds(100)  // so the stream and consumer info requests run too
        }
        tock.startExecutor(backoffBase: .milliseconds(200)) {
            $0.natsSecurity = Self.login("executor", inbox: "_TOCK.executor")
        }
        // The request API served as the `api` user, as `tock router` would (SecureCLITests covers the shard user).
        let api = JobNATSService(
            frontDoor: try XCTUnwrap(tock.frontDoor), natsURL: nats.url,
            natsSecurity: Self.login("api", inbox: "_TOCK.api"), name: "test-api",
            logger: tock.logger)
        apiTask = Task { try await api.run() }

        let client = try NATSConnection.connect(url: nats.url, security: Self.login("client"))
        defer { client.close() }
        let submit = Array(#"{"url": "\#(tock.sink.baseURL)/ok", "callback_url": "\#(tock.sink.baseURL)/cb"}"#.utf8)
        let created = try await eventually("the client's submit over NATS to be answered") {
            try? await client.request(subject: Subjects.submit, data: submit, timeout: .milliseconds(500))
        }
        let answer = try tock.answer(headerStatus: created.header("Tock-Status"), payload: created.data)
        XCTAssertEqual(answer.status, 201, "\(answer.json)")
        let id = try XCTUnwrap(answer.json["id"]?.string)
        do {
            _ = try await tock.waitForState(id, "succeeded")
        } catch {
            XCTFail("nats-server's log:\n" + ((try? String(contentsOf: nats.logFile, encoding: .utf8)) ?? ""))
            throw error
        }
        // The shard publishes its outcome event, and an executor delivers the callback from it.
        _ = try await eventually("the callback") { tock.sink.requests(forJob: id).first { $0.path == "/cb" } }
        let read = try await client.request(subject: Subjects.get, data: Array(id.utf8), timeout: .seconds(5))
        XCTAssertEqual(try tock.answer(headerStatus: read.header("Tock-Status"), payload: read.data).status, 200)
        try await Task.sleep(for: .milliseconds(300))  // a few queue samples, which must be allowed as well
        let serverLog = try String(contentsOf: nats.logFile, encoding: .utf8)
        XCTAssertFalse(serverLog.contains("Violation"), "the roles' own work was refused somewhere:\n\(serverLog)")

        let doneBefore = try js.streamInfo(Subjects.doneStream).lastSequence
        let jobsBefore = try js.streamInfo(Subjects.jobsStream(priority: .normal)).lastSequence
        let forbidden: [(user: String, subject: String, subscribe: Bool)] = [
            ("client", Subjects.done(shard: 0), false),
            ("client", Subjects.jobs(priority: .normal, shard: 0), false),
            ("client", "$JS.API.CONSUMER.MSG.NEXT.TOCK_JOBS_NORMAL.tock-exec-normal", false),
            ("client", "_TOCK.executor.>", true),
            ("executor", Subjects.jobs(priority: .normal, shard: 0), false),
            ("shard", Subjects.done(shard: 0), false),
            ("api", Subjects.done(shard: 0), false),
            ("client", Subjects.events(shard: 0, state: "succeeded"), false),
            ("executor", Subjects.events(shard: 0, state: "succeeded"), false),
        ]
        for attempt in forbidden {
            let raw = try RawNATSClient(port: nats.port, user: attempt.user, password: Self.passwords[attempt.user])
            if attempt.subscribe {
                try raw.subscribe(attempt.subject, id: 1)
            } else {
                try raw.publish(attempt.subject, headerBlock: "NATS/1.0\r\n\r\n", payload: Array("forged".utf8))
            }
            XCTAssertThrowsError(try raw.flush(), "\(attempt.user) → \(attempt.subject)") { error in
                XCTAssertTrue("\(error)".contains("Permissions Violation"), "\(attempt.user): \(error)")
            }
        }
        XCTAssertEqual(
            try js.streamInfo(Subjects.doneStream).lastSequence, doneBefore,
            "a refused completion was stored, and a shard could have taken it")
        XCTAssertEqual(try js.streamInfo(Subjects.jobsStream(priority: .normal)).lastSequence, jobsBefore)
        XCTAssertEqual(try js.streamInfo(Subjects.eventsStream).messages, 1, "the shard's event, and no forged one")
        let state = try await tock.job(id)["state"]?.string
        XCTAssertEqual(state, "succeeded")
    }
}
