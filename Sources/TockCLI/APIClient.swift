import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The operator commands' way to a shard's HTTP API: prints the JSON answer, and exits 1 with the API's error
/// message on a 4xx or 5xx, 2 when the shard cannot be reached.
struct APIClient {
    let server: String
    /// An API key, sent as `Authorization: Bearer <token>`; nil for a node without `--auth-file`.
    var token: String? = nil
    /// PEM CA bundle an https:// server must chain to, instead of the system roots.
    var caFile: String? = nil

    func send(_ method: HTTPMethod, _ path: String, json: Data? = nil) async throws {
        let text = String(decoding: try await answer(method, path, json: json), as: UTF8.self)
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }

    /// The body of a 2xx answer; any other answer, or none, exits as `send` does.
    func answer(_ method: HTTPMethod, _ path: String, json: Data? = nil) async throws -> Data {
        var request = HTTPClientRequest(url: server.trimmingCharacters(in: ["/"]) + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        }
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5)))
        // An operator wants "cannot reach" at once, not after the pool has redialled until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw ValidationError("--tls-ca: cannot read \(caFile): \(error)")
            }
            configuration.tlsConfiguration = tls
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let exchange: Result<(HTTPResponseStatus, ByteBuffer), any Error>
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            exchange = .success((response.status, try await response.body.collect(upTo: 16 * 1024 * 1024)))
        } catch {
            exchange = .failure(error)
        }
        try? await client.shutdown()
        guard case .success(let (status, body)) = exchange else {
            if case .failure(let error) = exchange {
                FileHandle.standardError.write(Data("tock: cannot reach \(server): \(error)\n".utf8))
            }
            throw ExitCode(2)
        }
        if (200..<300).contains(status.code) { return Data(buffer: body) }
        FileHandle.standardError.write(Data("tock: \(status.code) \(Self.errorMessage(String(buffer: body)))\n".utf8))
        throw ExitCode(1)
    }

    private static func errorMessage(_ text: String) -> String {
        struct Body: Decodable {
            struct Detail: Decodable {
                var field: String?
                var message: String
            }
            var error: Detail
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(text.utf8)) else { return text }
        return body.error.field.map { "\($0): \(body.error.message)" } ?? body.error.message
    }
}

struct ServerOption: ParsableArguments {
    @Option(help: "The shard's HTTP API (http:// or https://); default $TOCK_SERVER, else this.") var server: String =
        "http://127.0.0.1:7070"
    @OptionGroup var token: TokenOption
    // `tock shard` takes --tls-ca for its peers and claims it before its subcommands (status, add-node, ...) can:
    // those take --server-ca.
    @Option(
        name: [.customLong("tls-ca"), .customLong("server-ca")],
        help: ArgumentHelp(
            "PEM CA bundle that an https:// --server must chain to, instead of the system roots (--server-ca after "
                + "`tock shard`).", valueName: "file"))
    var tlsCa: String?

    var client: APIClient { APIClient(server: server, token: token.resolved, caFile: tlsCa) }
}

/// The API key a command sends: `--token`, which `TOCK_TOKEN` sets through `EnvironmentArguments` (and keeps out
/// of `ps`).
struct TokenOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "API key for a node started with --auth-file (default: $TOCK_TOKEN).",
            valueName: "key"))
    var token: String?

    var resolved: String? { token.flatMap { $0.isEmpty ? nil : $0 } }
}
