import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TockCore
import TockWire

/// Sends a run's HTTP request with pooled keep-alive connections and the job's own timeout, signs it when a
/// secret is configured, and classifies the answer.
final class WebhookClient: Sendable {
    private let client: HTTPClient
    private let signer: WebhookSigner?
    private let policy: WebhookOutcomePolicy
    private let clock: any WallClock
    /// Enough of an error response to say what went wrong; the rest is read and dropped.
    private let errorBodyLimit = 512

    init(signer: WebhookSigner?, policy: WebhookOutcomePolicy, clock: any WallClock) {
        self.signer = signer
        self.policy = policy
        self.clock = clock
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        // A refused connection is one failed attempt, retried through JetStream's back-off, rather than a slot
        // held until the job's timeout while the pool keeps redialling.
        configuration.connectionPool.retryConnectionEstablishment = false
        // Tock bootstraps no tracer; the default no-op one still builds a span and its attributes for every call
        // (about 4 % of an executor's CPU under load).
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// Throws only `CancellationError`, when the executor is stopping; every other problem is a failure result.
    func deliver(_ run: JobRun, attempt: UInt64, executorID: String) async throws -> WebhookResult {
        let sentAtSeconds = clock.nowNs() / 1_000_000_000
        let payload = WebhookPayload(run, sentAtSeconds: sentAtSeconds)
        var request = HTTPClientRequest(url: run.target.url)
        request.method = HTTPMethod(rawValue: payload.method)
        for header in run.target.headers { request.headers.add(name: header.name, value: header.value) }
        if let contentType = payload.contentType {
            request.headers.replaceOrAdd(name: "Content-Type", value: contentType)
        }
        request.headers.replaceOrAdd(name: "Tock-Job-Id", value: run.jobID)
        request.headers.replaceOrAdd(name: "Tock-Run", value: "\(run.run)")
        request.headers.replaceOrAdd(name: "Tock-Attempt", value: "\(attempt)")
        request.headers.replaceOrAdd(name: "Tock-Due-At", value: RFC3339.format(ns: run.dueAtNs, fractionDigits: 6))
        request.headers.replaceOrAdd(
            name: "Idempotency-Key",
            value: run.idempotencyKey.isEmpty ? "\(run.jobID)/\(run.run)" : run.idempotencyKey)
        if !request.headers.contains(name: "User-Agent") {
            request.headers.add(name: "User-Agent", value: "tock-executor")
        }
        if let signer {
            // Signed over the exact bytes sent, at send time: a receiver checks the signature, then the age of `t`.
            request.headers.replaceOrAdd(
                name: WebhookSigner.headerName,
                value: signer.signature(timestampSeconds: sentAtSeconds, body: payload.body))
        }
        if !payload.body.isEmpty { request.body = .bytes(ByteBuffer(bytes: payload.body)) }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(run.timeoutMs)))
            var excerpt = ByteBuffer()
            // Stop reading once the excerpt is full: an endless answer must not hold the call (or its CPU) until
            // the timeout, nor be read to the end only to be thrown away.
            for try await chunk in response.body {
                var chunk = chunk
                excerpt.writeBuffer(&chunk)
                if excerpt.readableBytes >= errorBodyLimit { break }
            }
            let status = Int(response.status.code)
            let retryAfter = response.headers.first(name: "Retry-After")
            let text = excerpt.readString(length: min(excerpt.readableBytes, errorBodyLimit)) ?? ""
            let error = "HTTP \(status)\(text.isEmpty ? "" : ": \(text)")"
            switch policy.verdict(status: status, retryAfter: retryAfter, nowNs: clock.nowNs()) {
            case .succeeded: return .delivered(status: status)
            case .retry(let requestedDelay):
                return .retryableFailure(status: status, error: error, requestedDelay: requestedDelay)
            case .failPermanently: return .permanentFailure(status: status, error: error)
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            // No answer at all (refused, reset, timed out, TLS): the policy retries these.
            return .retryableFailure(status: nil, error: Self.describe(error, timeoutMs: run.timeoutMs),
                                     requestedDelay: nil)
        }
    }

    private static func describe(_ error: any Error, timeoutMs: UInt32) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout {
            return "timed out after \(timeoutMs) ms"
        }
        return "\(error)"
    }
}
