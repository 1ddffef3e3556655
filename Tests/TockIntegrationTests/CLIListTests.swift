import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import TockCore
import XCTest

/// `tock list`, `tock counts`, and the progress of long commands, run as the built binary against a real shard.
final class CLIListTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start(executor: false)
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    private var server: [String] { ["--server", tock.shardURL] }

    /// Submits a job due in an hour through the CLI and returns its id.
    private func submitLater(priority: String, extra: [String] = []) throws -> String {
        let result = try TockBinary.run(
            ["submit", "--url", "http://127.0.0.1:9/x", "--delay", "1h", "--priority", priority] + extra + server)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8))["id"]?.string)
    }

    func testListFiltersPagesAndPrintsATableOrJSON() throws {
        let low = try (0..<3).map { _ in try submitLater(priority: "low") }
        let high = try submitLater(priority: "high", extra: ["--idempotency-key", "order+42&x=1"])

        let page = try TockBinary.run(["list", "--priority", "low", "--limit", "2"] + server)
        XCTAssertEqual(page.status, 0, page.stderr)
        let lines = page.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, "a header and a page of two: \(page.stdout)")
        let firstRow = try XCTUnwrap(lines.dropFirst().first, page.stdout)
        XCTAssertEqual(
            lines.first?.split(separator: " ").map(String.init),
            ["id", "state", "priority", "destination", "run_at", "attempts", "last_status"])
        XCTAssertEqual(
            firstRow.split(separator: " ").map(String.init).prefix(4),
            [low[0], "scheduled", "low", "http://127.0.0.1:9/x"])
        XCTAssertEqual(firstRow.split(separator: " ").suffix(2), ["0/5", "-"], page.stdout)
        XCTAssertTrue(page.stderr.contains("more jobs: --cursor \(low[1])"), page.stderr)

        let all = try TockBinary.run(["list", "--priority", "low", "--limit", "2", "--all"] + server)
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertEqual(
            all.stdout.split(separator: "\n").dropFirst().map { String($0.prefix(while: { $0 != " " })) }, low)
        XCTAssertEqual(all.stderr, "", "no progress and no note when piped")

        let json = try TockBinary.run(["list", "--json", "--limit", "2"] + server)
        XCTAssertEqual(json.status, 0, json.stderr)
        let answer = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8))
        guard case .array(let jobs)? = answer["jobs"] else { return XCTFail(json.stdout) }
        XCTAssertEqual(jobs.compactMap { $0["id"]?.string }, Array(low.prefix(2)))
        XCTAssertEqual(answer["next_cursor"]?.string, low[1])

        let lines2 = try TockBinary.run(["list", "--json", "--all", "--limit", "3"] + server)
        XCTAssertEqual(lines2.status, 0, lines2.stderr)
        let ids = try lines2.stdout.split(separator: "\n").map {
            try XCTUnwrap(try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))["id"]?.string)
        }
        XCTAssertEqual(ids, low + [high], "JSON lines, one job each, across two pages")

        // `&`, `=` and `+` in a value reach the shard as they are, not as the query's separators or a space.
        let watched = try TockBinary.runWithTerminalStderr(["list", "--json", "--all", "--limit", "1"] + server)
        XCTAssertEqual(watched.stdout.split(separator: "\n").count, 4, watched.stdout)
        XCTAssertTrue(watched.terminal.contains("tock list: 3 jobs so far, more to come"), watched.terminal)

        let byKey = try TockBinary.run(["list", "--idempotency-key", "order+42&x=1", "--json"] + server)
        XCTAssertTrue(byKey.stdout.contains(#""id":"\#(high)""#) && !byKey.stdout.contains(low[0]), byKey.stdout)
        let none = try TockBinary.run(["list", "--state", "failed", "--since", "1h"] + server)
        XCTAssertEqual(none.stdout.split(separator: "\n").count, 1, "the header alone: \(none.stdout)")
    }

    /// On a terminal the table fits its width, cutting the destination; piped, the same table is whole. A NATS
    /// job's destination is its subject.
    func testTheTableFitsANarrowTerminalAndNamesEachDestination() async throws {
        let url = "http://127.0.0.1:9/" + String(repeating: "a", count: 60)
        let submitted = try TockBinary.run(["submit", "--url", url, "--delay", "1h"] + server)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let narrow = try TockBinary.runWithTerminalStderr(["list"] + server, stdoutToo: true, columns: 130)
        XCTAssertEqual(narrow.status, 0, narrow.terminal)
        let lines = narrow.terminal.split(separator: "\r\n")
        XCTAssertEqual(lines.count, 2, narrow.terminal)
        XCTAssertEqual(lines.map(\.count).max(), 130, narrow.terminal)
        let row = try XCTUnwrap(lines.dropFirst().first, narrow.terminal)
        XCTAssertTrue(row.contains("http://127.0.0.1:9/aaa") && row.contains("a… "), narrow.terminal)
        let piped = try TockBinary.run(["list"] + server)
        XCTAssertTrue(piped.stdout.contains(url + " "), piped.stdout)

        let nats = try await tock.submit(#"{"nats": {"subject": "orders.expire"}, "delay": "1h"}"#)
        XCTAssertEqual(nats.status, 201, "\(nats.json)")
        let both = try TockBinary.run(["list"] + server)
        XCTAssertTrue(both.stdout.contains(" nats:orders.expire "), both.stdout)
    }

    func testListRefusesBadFlagsNamingThem() throws {
        let state = try TockBinary.run(["list", "--state", "done"] + server)
        XCTAssertEqual(state.status, 1)
        XCTAssertTrue(state.stderr.contains("400 state:"), state.stderr)
        let limit = try TockBinary.run(["list", "--limit", "0"] + server)
        XCTAssertEqual(limit.status, 1)
        XCTAssertTrue(limit.stderr.contains("400 limit:"), limit.stderr)
        let since = try TockBinary.run(["list", "--since", "yesterday"] + server)
        XCTAssertEqual(since.status, 1)
        XCTAssertTrue(since.stderr.contains("400 since:"), since.stderr)
        let notANumber = try TockBinary.run(["list", "--limit", "many"] + server)
        XCTAssertEqual(notANumber.status, 64)
        XCTAssertTrue(notANumber.stderr.contains("--limit"), notANumber.stderr)
        let unknown = try TockBinary.run(["counts", "--stat", "failed"] + server)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("--stat"), unknown.stderr)
    }

    func testCountsByStateAsATableAndJSON() throws {
        _ = try submitLater(priority: "normal")
        let cancelled = try submitLater(priority: "normal")
        XCTAssertEqual(try TockBinary.run(["cancel", cancelled] + server).status, 0)

        let json = try TockBinary.run(["counts", "--json"] + server)
        XCTAssertEqual(json.status, 0, json.stderr)
        let counts = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8))
        XCTAssertEqual(counts["total"]?["scheduled"]?.int, 1, json.stdout)
        XCTAssertEqual(counts["total"]?["cancelled"]?.int, 1, json.stdout)
        XCTAssertEqual(counts["shards"]?["0"]?["cancelled"]?.int, 1, json.stdout)

        let table = try TockBinary.run(["counts"] + server)
        XCTAssertEqual(table.status, 0, table.stderr)
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(
            rows,
            [
                ["state", "total", "shard", "0"], ["scheduled", "1", "1"], ["published", "0", "0"],
                ["succeeded", "0", "0"], ["failed", "0", "0"], ["cancelled", "1", "1"],
            ])
    }

    /// A failed job run again by id and by filter; bulk progress reaches a terminal and never a pipe.
    func testRetryOfFailedJobsAndBulkProgressOnlyOnATerminal() async throws {
        tock.startExecutor(backoffBase: .milliseconds(100))
        var failed: [String] = []
        for _ in 0..<2 {
            let reply = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/always-fail", "max_attempts": 1}"#)
            failed.append(try XCTUnwrap(reply["id"]?.string))
        }
        for id in failed { _ = try await tock.waitForState(id, "failed") }

        let one = try TockBinary.run(["retry", failed[0]] + server)
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains(#""run":2"#), one.stdout)
        _ = try await tock.waitForState(failed[0], "failed")

        let bulk = try TockBinary.run(["retry", "--state", "failed", "--batch", "1"] + server)
        XCTAssertEqual(bulk.status, 0, bulk.stderr)
        XCTAssertEqual(bulk.stdout, #"{"affected":2}"# + "\n")
        XCTAssertEqual(bulk.stderr, "", "progress written to a pipe")

        let later = try (0..<3).map { _ in try submitLater(priority: "low") }
        let watched = try TockBinary.runWithTerminalStderr(
            ["cancel", "--priority", "low", "--batch", "1"] + server)
        XCTAssertEqual(watched.status, 0, watched.terminal)
        XCTAssertEqual(watched.stdout, #"{"affected":3}"# + "\n", "the result alone on stdout")
        XCTAssertTrue(watched.terminal.contains("tock cancel: 1 so far, more to come"), watched.terminal)
        XCTAssertTrue(watched.terminal.contains("tock cancel: 2 so far"), watched.terminal)
        for id in later { _ = try await tock.waitForState(id, "cancelled") }
    }

    func testBenchLoadShowsProgressOnlyOnATerminal() throws {
        let arguments =
            [
                "bench", "load", "--url", "http://127.0.0.1:9/x", "--count", "20", "--batch", "5", "--delay", "1h",
            ] + server
        let piped = try TockBinary.run(arguments)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stderr, "")
        let result = try JSONDecoder().decode(JSONValue.self, from: Data(piped.stdout.utf8))
        XCTAssertEqual(result["submitted"]?.int, 20, piped.stdout)

        let watched = try TockBinary.runWithTerminalStderr(arguments)
        XCTAssertEqual(watched.status, 0, watched.terminal)
        XCTAssertTrue(watched.terminal.contains("tock bench load: submitted "), watched.terminal)
        XCTAssertTrue(watched.terminal.contains(" / 20, "), watched.terminal)
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(watched.stdout.utf8))
        XCTAssertEqual(json["submitted"]?.int, 20, "stdout holds the JSON alone: \(watched.stdout)")
    }
}

/// `tock list` against a shard with API keys: each key lists its own tenant's jobs; an admin's `--tenant` picks one.
final class CLITenantListTests: XCTestCase {
    func testTheTenantFilterIsAnAdminsChoice() async throws {
        let tock = try await TockHarness.start(shard: false, executor: false)
        try await tock.startShard(keys: TenantKeys.keys)
        var ids: [String: String] = [:]
        for (tenant, key) in [("team-a", TenantKeys.teamA), ("team-b", TenantKeys.teamB)] {
            let reply = try await tock.request(
                .POST, "/v1/jobs", body: #"{"url": "http://127.0.0.1:9/x", "delay": "1h"}"#,
                headers: [("Authorization", "Bearer \(key)")])
            ids[tenant] = try XCTUnwrap(reply["id"]?.string, "\(reply.json)")
        }
        func listed(_ arguments: [String]) throws -> [String] {
            let result = try TockBinary.run(["list", "--json", "--all", "--server", tock.shardURL] + arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout.split(separator: "\n").compactMap {
                (try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)))?["id"]?.string
            }
        }
        do {
            XCTAssertEqual(try listed(["--token", TenantKeys.admin, "--tenant", "team-b"]), [ids["team-b"]!])
            XCTAssertEqual(try listed(["--token", TenantKeys.teamA]), [ids["team-a"]!])
            XCTAssertEqual(try listed(["--token", TenantKeys.admin]).count, 2)
            let anonymous = try TockBinary.run(["list", "--server", tock.shardURL])
            XCTAssertEqual(anonymous.status, 1)
            XCTAssertTrue(anonymous.stderr.contains("401"), anonymous.stderr)
        } catch {
            await tock.shutdown()
            throw error
        }
        await tock.shutdown()
    }
}

/// `tock list --all` against a server whose cursor never moves: an error, not pages forever.
final class CLIListStuckCursorTests: XCTestCase {
    func testARepeatedCursorStopsTheListWithAnError() async throws {
        let calls = Mutex(0)
        let router = Router()
        router.get("/v1/jobs") { _, _ -> Response in
            // After a few calls a 500 ends a CLI that keeps paging, so that the test fails rather than hangs.
            let call = calls.withLock { count in
                count += 1
                return count
            }
            let body = call > 5 ? "{}" : #"{"jobs": [], "next_cursor": "0-01STUCK"}"#
            return Response(
                status: call > 5 ? .internalServerError : .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test.stuck-cursor")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return XCTFail("the fake server did not start") }

        let result = try TockBinary.run(["list", "--all", "--server", "http://127.0.0.1:\(port)"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("next_cursor 0-01STUCK again"), result.stderr)
        XCTAssertEqual(calls.withLock { $0 }, 2)
    }
}
