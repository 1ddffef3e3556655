import ArgumentParser
import XCTest

@testable import TockCLI

/// The environment's arguments: which variable sets which flag, and that a flag wins over the environment and the
/// environment over the default, through ArgumentParser itself.
final class EnvironmentArgumentsTests: XCTestCase {
    func arguments(_ commandLine: [String], _ environment: [String: String]) throws -> EnvironmentArguments {
        let command = try CommandOptionList.invoked(by: commandLine, root: Tock.self)
        return try EnvironmentArguments(commandLine: commandLine, command: command, environment: environment)
    }

    func parse<C: ParsableCommand>(
        _ commandLine: [String], _ environment: [String: String], as type: C.Type
    ) throws -> C {
        let parsed = try Tock.parseAsRoot(try arguments(commandLine, environment).arguments)
        return try XCTUnwrap(parsed as? C, "\(parsed)")
    }

    func testAFlagWinsOverTheEnvironmentWhichWinsOverTheDefault() throws {
        XCTAssertEqual(try parse(["shard"], [:], as: ShardCommand.self).data, "./data")
        XCTAssertEqual(try parse(["shard"], ["TOCK_DATA": "/env"], as: ShardCommand.self).data, "/env")
        XCTAssertEqual(
            try parse(["shard", "--data", "/flag"], ["TOCK_DATA": "/env"], as: ShardCommand.self).data, "/flag")
        XCTAssertEqual(
            try parse(["shard", "--data=/flag"], ["TOCK_DATA": "/env"], as: ShardCommand.self).data, "/flag")
        XCTAssertEqual(try parse(["shard"], ["TOCK_DATA": ""], as: ShardCommand.self).data, "./data", "empty is unset")
    }

    func testEveryFlagOfTheServicesHasItsVariable() throws {
        let shard = try parse(
            ["shard"],
            [
                "TOCK_HTTP": "127.0.0.1:1", "TOCK_NODE": "n2", "TOCK_TICK_MS": "20", "TOCK_PEERS": "n1=a:1,n2=b:2",
                "TOCK_NATS_USER": "shard", "TOCK_MAX_CONNECTIONS": "7", "TOCK_CLUSTER_ID": "blue", "TOCK_SHARD": "3",
                "TOCK_LOG_FORMAT": "json",
            ], as: ShardCommand.self)
        XCTAssertEqual(shard.http, "127.0.0.1:1")
        XCTAssertEqual(shard.node, "n2")
        XCTAssertEqual(shard.tickMs, 20)
        XCTAssertEqual(shard.peers, "n1=a:1,n2=b:2", "a non-repeatable option takes the value whole, commas and all")
        XCTAssertEqual(shard.nats.security.natsUser, "shard")
        XCTAssertEqual(shard.httpLimits.maxConnections, 7)
        XCTAssertEqual(shard.raftPeer.clusterId, "blue")
        XCTAssertEqual(shard.shard, 3)
        XCTAssertEqual(shard.logging.logFormat, "json")
        let executor = try parse(
            ["executor"], ["TOCK_CONCURRENCY": "5", "TOCK_ID": "e7", "TOCK_METRICS": "off"], as: ExecutorCommand.self)
        XCTAssertEqual(executor.concurrency, 5)
        XCTAssertEqual(executor.id, "e7")
        XCTAssertEqual(executor.metrics, "off")
        let router = try parse(
            ["router"], ["TOCK_CONFIG": "/etc/tock.yaml", "TOCK_NAME": "r2"], as: RouterCommand.self)
        XCTAssertEqual(router.config, "/etc/tock.yaml", "a required option can come from the environment")
        XCTAssertEqual(router.name, "r2")
    }

    func testAValueThatLooksLikeAnOptionStaysAValue() throws {
        XCTAssertEqual(try parse(["executor"], ["TOCK_ID": "--metrics"], as: ExecutorCommand.self).id, "--metrics")
    }

    func testBooleanFlagsTakeYesOrNo() throws {
        for yes in ["1", "true", "YES", "on"] {
            XCTAssertTrue(try parse(["shard"], ["TOCK_JOIN": yes], as: ShardCommand.self).join, yes)
        }
        for no in ["0", "false", "no", "Off", ""] {
            XCTAssertFalse(try parse(["shard"], ["TOCK_JOIN": no], as: ShardCommand.self).join, no)
        }
        XCTAssertTrue(try parse(["executor"], ["TOCK_NO_CALLBACKS": "1"], as: ExecutorCommand.self).noCallbacks)
        XCTAssertThrowsError(try arguments(["shard"], ["TOCK_JOIN": "maybe"])) { error in
            XCTAssertEqual("\(error)", "TOCK_JOIN (for --join) must be 1, true, yes or on, or 0, false, no or off")
        }
    }

    func testARepeatableOptionTakesACommaSeparatedList() throws {
        let executor = try parse(
            ["executor"], ["TOCK_ALLOW_EGRESS": "10.0.0.0/8, hooks.internal,"], as: ExecutorCommand.self)
        XCTAssertEqual(executor.webhookSecurity.allowEgress, ["10.0.0.0/8", "hooks.internal"])
        let given = try parse(
            ["executor", "--allow-egress", "fd00::/8"], ["TOCK_ALLOW_EGRESS": "10.0.0.0/8"], as: ExecutorCommand.self)
        XCTAssertEqual(given.webhookSecurity.allowEgress, ["fd00::/8"], "given once on the command line: no more")
    }

    func testNATSURLAndTheClientVariables() throws {
        XCTAssertEqual(
            try parse(["shard"], ["NATS_URL": "nats://a:1"], as: ShardCommand.self).nats.natsURL, "nats://a:1")
        let both = ["NATS_URL": "nats://a:1", "TOCK_NATS_URL": "nats://b:2"]
        XCTAssertEqual(try parse(["executor"], both, as: ExecutorCommand.self).nats.natsURL, "nats://b:2")
        XCTAssertEqual(try parse(["router", "--config", "x"], both, as: RouterCommand.self).nats.natsURL, "nats://b:2")
        XCTAssertEqual(try parse(["nats", "apply"], both, as: NATSCommand.Apply.self).nats.natsURL, "nats://a:1")
        XCTAssertEqual(
            try parse(["nats", "apply"], [:], as: NATSCommand.Apply.self).nats.natsURL, NATSOptions.defaultURL)
        XCTAssertNil(try parse(["dev"], both, as: DevCommand.self).natsURL, "tock dev starts its own server")

        let client = ["TOCK_SERVER": "http://node:7070", "TOCK_TOKEN": "key", "TOCK_URL": "http://ignored/"]
        let submit = try parse(["submit", "--url", "http://h/x"], client, as: SubmitCommand.self)
        XCTAssertEqual(submit.server.server, "http://node:7070")
        XCTAssertEqual(submit.server.token.resolved, "key")
        XCTAssertEqual(submit.url, "http://h/x", "a client command reads no TOCK_<FLAG> but these")
        let status = try parse(
            ["shard", "status"], client.merging(["TOCK_DATA": "/env"]) { a, _ in a },
            as: ShardCommand.StatusCommand.self)
        XCTAssertEqual(status.server.server, "http://node:7070", "tock shard's subcommands are clients")
    }

    func testUnknownVariablesAreIgnoredAndTheCommandLineIsKeptInOrder() throws {
        let result = try arguments(
            ["shard", "--node", "n1", "--", "rest"],
            ["TOCK_SIGNING_SECRET": "s", "TOCK_SHARD_ARGS": "-v", "TOCK_HTTP": "h:1"])
        XCTAssertEqual(result.arguments, ["shard", "--node", "n1", "--http=h:1", "--", "rest"])
        XCTAssertEqual(result.sources, ["--http": "TOCK_HTTP"])
    }

    func testAnErrorAboutAnOptionFromTheEnvironmentNamesTheVariable() throws {
        let result = try arguments(["shard"], ["TOCK_TICK_MS": "fast", "TOCK_HTTP": "h:1"])
        XCTAssertThrowsError(try Tock.parseAsRoot(result.arguments)) { error in
            let message = Tock.message(for: error)
            XCTAssertEqual(result.note(for: message), "(--tick-ms was set from the environment variable TOCK_TICK_MS)")
        }
        XCTAssertNil(result.note(for: "--http-thing is wrong"), "a longer option is another option")
        XCTAssertNotNil(result.note(for: "--http must be HOST:PORT"))
    }
}
