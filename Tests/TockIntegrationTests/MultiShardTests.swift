import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TockCore
import TockModel
import TockNATS
import TockShard
import TockTestSupport
import TockWire
import XCTest

/// Two shards of three real `tock shard` processes each, routed by one shard map: any node takes any call.
final class MultiShardTests: XCTestCase {
    var tock: TockHarness!
    var fleet: ShardFleetProcesses!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false)
        var layout = QueueConfig()
        layout.shardCount = 2
        let connection = try NATSConnection.connect(url: tock.nats.url)
        try JetStreamSetup.apply(layout, to: try connection.jetStream())
        connection.close()
        fleet = try ShardFleetProcesses(harness: tock, shards: 2)
        try fleet.startAll()
        for shard in 0..<2 { _ = try await fleet.awaitLeader(shard: shard) }
    }

    override func tearDown() async throws {
        fleet?.stopAll()
        if (testRun?.totalFailureCount ?? 0) > 0 { fleet?.printLogs() }
        await tock?.shutdown()
    }

    func testJobsSubmittedToRandomNodesSpreadOverBothShardsAndAllSucceed() async throws {
        let bases = fleet.allBases
        let sink = tock.sink.baseURL
        let tock = self.tock!
        let ids = try await concurrently(400, width: 16) { i -> String in
            let key = i % 2 == 0 ? #", "idempotency_key": "order-\#(i)""# : ""
            let reply = try await tock.submit(#"{"url": "\#(sink)/ok"\#(key)}"#, base: bases.randomElement()!)
            XCTAssertEqual(reply.status, 201, "\(reply.json)")
            let id = try XCTUnwrap(reply["id"]?.string)
            if i % 2 == 0 {
                XCTAssertEqual(
                    JobID.shard(of: id), ShardHash.shard(forKey: "order-\(i)", shardCount: 2),
                    "a keyed job lives on its key's shard")
            }
            return id
        }
        let onShard0 = ids.filter { JobID.shard(of: $0) == 0 }.count
        XCTAssertTrue((140...260).contains(onShard0), "\(onShard0) of 400 jobs on shard 0")

        _ = try await eventually(within: .seconds(60), "every job at the webhook") {
            ids.allSatisfy { !self.tock.sink.requests(forJob: $0).isEmpty } ? true : nil
        }
        for id in ids.shuffled().prefix(20) {
            _ = try await tock.waitForState(id, "succeeded", base: bases.randomElement()!)
        }

        // The key meets its first job whichever node is asked.
        let again = try await tock.submit(
            #"{"url": "\#(sink)/ok", "idempotency_key": "order-0"}"#,
            base: bases.randomElement()!)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again["id"]?.string, ids[0])
    }

    func testJobsSubmittedOverNATSReachWhicheverNodeAndAllSucceed() async throws {
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        _ = try await eventually(within: .seconds(20), "the nodes serving tock.submit") {
            // A bad request is answered by whichever member of the queue group takes it, without a shard.
            let reply = try? await connection.request(
                subject: "tock.submit", data: Array("{".utf8), timeout: .seconds(2))
            return reply?.header("tock-status") == "400" ? true : nil
        }
        let sink = tock.sink.baseURL
        var ids: [String] = []
        for i in 0..<200 {
            let key = i % 2 == 0 ? #", "idempotency_key": "nats-\#(i)""# : ""
            let reply = try await connection.request(
                subject: "tock.submit", data: Array(#"{"url": "\#(sink)/ok"\#(key)}"#.utf8),
                timeout: .seconds(10))
            XCTAssertEqual(reply.header("tock-status"), "201", String(decoding: reply.data, as: UTF8.self))
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(reply.data))
            ids.append(try XCTUnwrap(json["id"]?.string))
        }
        let onShard0 = ids.filter { JobID.shard(of: $0) == 0 }.count
        XCTAssertTrue((60...140).contains(onShard0), "\(onShard0) of 200 jobs on shard 0")

        // Protobuf, with the content type in a header.
        let spec = JobSpec(
            id: "", priority: .critical,
            target: HTTPTarget(url: "\(sink)/ok", method: "POST", headers: [], body: Array("pb".utf8)),
            timeoutMs: 0, maxAttempts: 0, idempotencyKey: "nats-proto", dueAtNs: 0)
        let proto = try await connection.request(
            subject: "tock.submit", data: spec.encoded(),
            headers: [("Content-Type", "application/protobuf")], timeout: .seconds(10))
        XCTAssertEqual(proto.header("tock-status"), "201", String(decoding: proto.data, as: UTF8.self))
        let protoJob = try JSONDecoder().decode(JSONValue.self, from: Data(proto.data))
        XCTAssertEqual(protoJob["priority"]?.string, "critical")
        ids.append(try XCTUnwrap(protoJob["id"]?.string))

        _ = try await eventually(within: .seconds(60), "every NATS-submitted job at the webhook") {
            ids.allSatisfy { !self.tock.sink.requests(forJob: $0).isEmpty } ? true : nil
        }
        let got = try await eventually(within: .seconds(15), "tock.get to report the job succeeded") {
            let reply = try? await connection.request(
                subject: "tock.get", data: Array(ids[1].utf8), timeout: .seconds(5))
            let json = reply.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.data)) }
            return json?["state"]?.string == "succeeded" ? reply : nil
        }
        XCTAssertEqual(got.header("tock-status"), "200")
        let cancel = try await connection.request(
            subject: "tock.cancel", data: Array(#"{"id": "\#(ids[1])"}"#.utf8),
            timeout: .seconds(5))
        XCTAssertEqual(cancel.header("tock-status"), "409", "a finished job cannot be cancelled")
        let missing = try await connection.request(subject: "tock.get", data: [], timeout: .seconds(5))
        XCTAssertEqual(missing.header("tock-status"), "400")
        let missingJSON = try JSONDecoder().decode(JSONValue.self, from: Data(missing.data))
        XCTAssertEqual(missingJSON["error"]?["field"]?.string, "id")

        let batch = try await connection.request(
            subject: "tock.submit.batch", data: Array(#"{"jobs": [{"url": "\#(sink)/ok"}, {"url": 5}]}"#.utf8),
            timeout: .seconds(10))
        XCTAssertEqual(batch.header("tock-status"), "200")
        let results = try JSONDecoder().decode(JSONValue.self, from: Data(batch.data))["results"]
        guard case .array(let items)? = results else { return XCTFail("no results") }
        XCTAssertEqual(items.map { $0["status"]?.int }, [201, 400])
    }

    func testListingPagesThroughBothShardsInCreationOrder() async throws {
        var submitted: [String] = []
        for _ in 0..<25 {
            let reply = try await tock.submit(
                #"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h"}"#,
                base: fleet.allBases.randomElement()!)
            submitted.append(try XCTUnwrap(reply["id"]?.string))
        }
        XCTAssertEqual(Set(submitted.compactMap(JobID.shard(of:))), [0, 1], "both shards hold some")

        var listed: [String] = []
        var cursor: String?
        for _ in 0..<10 {
            let query = "/v1/jobs?state=scheduled&limit=7" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try await tock.request(.GET, query, base: fleet.allBases.randomElement()!)
            XCTAssertEqual(page.status, 200, "\(page.json)")
            guard case .array(let jobs)? = page["jobs"] else { return XCTFail("no jobs in \(page.json)") }
            XCTAssertLessThanOrEqual(jobs.count, 7)
            listed += jobs.compactMap { $0["id"]?.string }
            cursor = page["next_cursor"]?.string
            if cursor == nil { break }
        }
        XCTAssertNil(cursor, "the listing ended")
        XCTAssertEqual(
            listed, submitted.sorted { $0.split(separator: "-")[1] < $1.split(separator: "-")[1] },
            "every job once, oldest first")
        XCTAssertEqual(
            submitted.sorted { $0.split(separator: "-")[1] < $1.split(separator: "-")[1] }, submitted,
            "ids sort in creation order")

        let counts = try await tock.request(.GET, "/v1/jobs:counts", base: fleet.allBases.randomElement()!)
        XCTAssertEqual(counts["total"]?["scheduled"]?.int, 25, "\(counts.json)")
        let perShard = [0, 1].map { counts["shards"]?["\($0)"]?["scheduled"]?.int ?? 0 }
        XCTAssertEqual(
            perShard, [0, 1].map { shard in Int64(submitted.filter { JobID.shard(of: $0) == UInt32(shard) }.count) })

        let none = try await tock.request(.GET, "/v1/jobs?state=succeeded", base: fleet.allBases[0])
        XCTAssertEqual(none["jobs"], .array([]))
        let bad = try await tock.request(.GET, "/v1/jobs?limit=0", base: fleet.allBases[0])
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad["error"]?["field"]?.string, "limit")
    }

    func testKillingAShardsLeaderAnswers503WithRetryAfterAndLosesNoAcknowledgedSubmit() async throws {
        let leader = try await fleet.awaitLeader(shard: 1)
        // Clients talk to shard 0's nodes only, so every call for shard 1 crosses shards.
        let bases = fleet.names.map { fleet.base(shard: 0, node: $0) }
        let client = RecordingClient(sink: tock.sink.baseURL)
        let submitting = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var i = 0
                        while !Task.isCancelled {
                            i += 1
                            await client.submit(key: "w\(worker)-\(i)", to: bases[i % bases.count])
                        }
                    }
                }
            }
        }
        _ = try await eventually(within: .seconds(20), "100 acknowledged submits before the kill") {
            client.acknowledged.count >= 100 ? true : nil
        }
        let killedAt = ContinuousClock.now
        fleet.kill(shard: 1, node: leader)
        _ = try await fleet.awaitLeader(shard: 1, among: fleet.names.filter { $0 != leader }, within: .seconds(10)) {
            $0 != leader
        }
        _ = try await eventually(within: .seconds(15), "shard 1 acknowledging submits again") {
            client.acknowledgedAt(shard: 1, after: killedAt) >= 20 ? true : nil
        }
        submitting.cancel()
        await submitting.value
        await client.shutdown()

        XCTAssertEqual(client.unexpected, [], "answers other than 201/200 or a 503 with Retry-After")
        let acknowledged = client.acknowledged
        _ = try await eventually(within: .seconds(60), "every acknowledged job at the webhook") {
            acknowledged.allSatisfy { !self.tock.sink.requests(forJob: $0).isEmpty } ? true : nil
        }
    }

    func testABatchIsSplitAcrossShardsAndABadJobFailsAlone() async throws {
        let good = #"{"url": "\#(tock.sink.baseURL)/ok"}"#
        let jobs = (0..<40).map { $0 == 17 ? #"{"url": "ftp://nowhere"}"# : good }
        let reply = try await tock.request(
            .POST, "/v1/jobs:batch", body: #"{"jobs": [\#(jobs.joined(separator: ","))]}"#,
            base: fleet.allBases.randomElement()!)
        XCTAssertEqual(reply.status, 200, "\(reply.json)")
        guard case .array(let results)? = reply["results"] else { return XCTFail("no results: \(reply.json)") }
        XCTAssertEqual(results.count, 40)
        XCTAssertEqual(results[17]["status"]?.int, 400)
        XCTAssertEqual(results[17]["error"]?["field"]?.string, "url")
        let ids = results.enumerated().filter { $0.offset != 17 }.compactMap { $0.element["job"]?["id"]?.string }
        XCTAssertEqual(ids.count, 39, "every other job was created: \(results)")
        XCTAssertEqual(Set(ids.compactMap(JobID.shard(of:))), [0, 1])
        _ = try await eventually(within: .seconds(60), "every batch job at the webhook") {
            ids.allSatisfy { !self.tock.sink.requests(forJob: $0).isEmpty } ? true : nil
        }

        let tooMany = #"{"jobs": [\#(Array(repeating: good, count: 1001).joined(separator: ","))]}"#
        let refused = try await tock.request(.POST, "/v1/jobs:batch", body: tooMany, base: fleet.allBases[0])
        XCTAssertEqual(refused.status, 400)
        XCTAssertEqual(refused["error"]?["field"]?.string, "jobs")
    }

    func testAScheduledDBClientWorksUnchangedAgainstAnyNode() async throws {
        let bases = fleet.allBases
        let sink = tock.sink.baseURL
        let when = Int(Date().timeIntervalSince1970) + 2
        // As scheduled-db's README submits: a string timestamp, a payload object, no id.
        let created = try await tock.request(
            .POST, "/jobs",
            body: #"""
                {"type": "unico", "timestamp": "\#(when)", "webhook_url": "\#(sink)/ok", "payload": {"order": 42}}
                """#, base: bases.randomElement()!)
        XCTAssertEqual(created.status, 200, "\(created.json)")
        XCTAssertEqual(created["type"]?.string, "unico")
        XCTAssertEqual(created["timestamp"]?.int, Int64(when))
        let id = try XCTUnwrap(created["id"]?.string)

        // A client that chose its own id reads and cancels by it, on whichever shard its id hashed to.
        let mine = try await tock.request(
            .POST, "/jobs",
            body: #"""
                {"id": "invoice-7", "type": "unico", "timestamp": "\#(when + 3600)", "webhook_url": "\#(sink)/ok"}
                """#, base: bases.randomElement()!)
        XCTAssertEqual(mine.status, 200, "\(mine.json)")
        XCTAssertEqual(mine["id"]?.string, "invoice-7")
        let pending = try await tock.request(.GET, "/jobs/invoice-7/status", base: bases.randomElement()!)
        XCTAssertEqual(pending["status"]?.string, "pending", "\(pending.json)")
        let cancelled = try await tock.request(.POST, "/jobs/invoice-7/cancel", base: bases.randomElement()!)
        XCTAssertEqual(cancelled.status, 200, "\(cancelled.json)")
        XCTAssertEqual(cancelled["status"]?.string, "cancelled")
        XCTAssertEqual(cancelled["job_id"]?.string, "invoice-7")

        let done = try await eventually(within: .seconds(30), "the job to be completed") {
            let status = try? await self.tock.request(.GET, "/jobs/\(id)/status", base: bases.randomElement()!)
            return status?["status"]?.string == "completed" ? status : nil
        }
        XCTAssertEqual(done["job_id"]?.string, id)
        let delivered = try XCTUnwrap(tock.sink.requests(forJob: id).first)
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(delivered.bodyBytes))
        XCTAssertEqual(body["job_id"]?.string, id)
        XCTAssertEqual(body["type"]?.string, "unico")
        XCTAssertEqual(body["data"], .object(["order": .int(42)]))
        XCTAssertNotNil(body["timestamp"]?.int)

        let executions = try await tock.request(.GET, "/jobs/\(id)/executions", base: bases.randomElement()!)
        guard case .array(let attempts)? = executions["attempts"] else { return XCTFail("\(executions.json)") }
        XCTAssertEqual(attempts.first?["http_status"]?.int, 200)
        let completed = try await tock.request(.GET, "/jobs?status=completed", base: bases.randomElement()!)
        guard case .array(let listed)? = completed["jobs"] else { return XCTFail("\(completed.json)") }
        XCTAssertEqual(listed.compactMap { $0["job_id"]?.string }, [id])
        let deleted = try await tock.request(.DELETE, "/jobs/\(id)", base: bases.randomElement()!)
        XCTAssertEqual(deleted.status, 204)
        // A recurring job, as scheduled-db's clients submit one.
        let recurring = try await tock.request(
            .POST, "/jobs",
            body: #"""
                {"id": "nightly", "type": "recurrente", "cron_expression": "0 3 * * *", "webhook_url": "\#(sink)/ok"}
                """#, base: bases.randomElement()!)
        XCTAssertEqual(recurring.status, 200, "\(recurring.json)")
        XCTAssertEqual(recurring["type"]?.string, "recurrente")
        XCTAssertEqual(recurring["cron_expression"]?.string, "0 3 * * *")
        let nightly = try await tock.request(.GET, "/jobs/nightly", base: bases.randomElement()!)
        XCTAssertEqual(nightly["type"]?.string, "recurrente")
        XCTAssertEqual(nightly["timestamp"]?.int.map { $0 % 86_400 }, 3 * 3600, "the next run is at 03:00 UTC")
        let stopped = try await tock.request(.DELETE, "/jobs/nightly", base: bases.randomElement()!)
        XCTAssertEqual(stopped.status, 204)

        let health = try await tock.request(.GET, "/health", base: bases.randomElement()!)
        XCTAssertEqual(health["status"]?.string, "ok")
        let unknown = try await tock.request(.GET, "/jobs/nobody", base: bases.randomElement()!)
        XCTAssertEqual(unknown.status, 404)
    }

    func testARouterTakesJobCallsLikeANode() async throws {
        try fleet.startRouter()
        let base = fleet.routerBase
        _ = try await eventually(within: .seconds(20), "the router to listen") {
            (try? await self.tock.request(.GET, "/healthz", base: base))?.status == 200 ? true : nil
        }
        var ids: [String] = []
        for i in 0..<20 {
            let reply = try await tock.submit(
                #"{"url": "\#(tock.sink.baseURL)/ok", "idempotency_key": "r\#(i)"}"#,
                base: base)
            XCTAssertEqual(reply.status, 201, "\(reply.json)")
            ids.append(try XCTUnwrap(reply["id"]?.string))
        }
        XCTAssertEqual(Set(ids.compactMap(JobID.shard(of:))), [0, 1])
        for id in ids { _ = try await tock.waitForState(id, "succeeded", base: base) }
        let cancelled = try await tock.request(.DELETE, "/v1/jobs/\(ids[0])", base: base)
        XCTAssertEqual(cancelled.status, 409, "a finished job cannot be cancelled: \(cancelled.json)")
        let missing = try await tock.job("7-01ARZ3NDEKTSV4RRFFQ69G5FAV", base: base)
        XCTAssertEqual(missing.status, 404, "an id naming a shard that does not exist")
    }

    private nonisolated func concurrently<T: Sendable>(
        _ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> T
    )
        async throws -> [T]
    {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var results = [T?](repeating: nil, count: count)
            var next = 0
            for _ in 0..<min(width, count) {
                let i = next
                next += 1
                group.addTask { (i, try await body(i)) }
            }
            for try await (i, value) in group {
                results[i] = value
                if next < count {
                    let j = next
                    next += 1
                    group.addTask { (j, try await body(j)) }
                }
            }
            return results.map { $0! }
        }
    }
}

/// Submits with idempotency keys and records every answer: acknowledged ids (201, or 200 for a key whose job
/// exists) with their time, and anything else that is not a 503 carrying Retry-After.
final class RecordingClient: @unchecked Sendable {
    private let sink: String
    private let lock = NSLock()
    private var acks: [(id: String, at: ContinuousClock.Instant)] = []
    private var odd: [String] = []
    private let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(1)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    init(sink: String) { self.sink = sink }

    var acknowledged: [String] { lock.withLock { acks.map(\.id) } }
    var unexpected: [String] { lock.withLock { odd } }

    func acknowledgedAt(shard: UInt32, after instant: ContinuousClock.Instant) -> Int {
        lock.withLock { acks.filter { $0.at > instant && JobID.shard(of: $0.id) == shard }.count }
    }

    func submit(key: String, to base: String) async {
        var request = HTTPClientRequest(url: base + "/v1/jobs")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"url": "\#(sink)/ok", "idempotency_key": "\#(key)"}"#))
        do {
            let response = try await client.execute(request, timeout: .seconds(20))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let json = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))
            // 200: the key's job already existed — a forwarded attempt that committed before its node died, retried.
            if response.status == .created || response.status == .ok, let id = json?["id"]?.string {
                let now = ContinuousClock.now
                lock.withLock { acks.append((id, now)) }
            } else if !(response.status == .serviceUnavailable && response.headers.first(name: "retry-after") != nil) {
                let line = "\(response.status.code) \(String(buffer: bytes))"
                lock.withLock { odd.append(line) }
            }
        } catch {
            guard !Task.isCancelled else { return }
            let line = "\(error)"
            lock.withLock { odd.append(line) }
        }
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}
