import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TockCore
import TockModel
import TockWire

/// Sends a run's HTTP request with pooled keep-alive connections and the job's own timeout, to a target the
/// egress guard allows, signs it when a secret is configured, and classifies the answer. Redirects are never
/// followed: a 3xx is the answer (a permanent failure), so a target cannot send the executor elsewhere.
final class WebhookClient: Sendable {
    private let client: HTTPClient
    private let signer: WebhookSigner?
    private let policy: WebhookOutcomePolicy
    private let clock: any WallClock
    /// Enough of an answer to say what went wrong; the body is not read past it.
    private let excerptLimit = 512

    init(signer: WebhookSigner?, policy: WebhookOutcomePolicy, clock: any WallClock) {
        self.signer = signer
        self.policy = policy
        self.clock = clock
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: WebhookHTTP.configuration)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// Throws only `CancellationError`, when the executor is stopping; every other problem is a failure result.
    func deliver(_ run: JobRun, attempt: UInt64, executorID: String, egress: EgressPolicy) async throws
        -> WebhookResult
    {
        let target: (url: String, host: String?)
        switch await EgressGuard.check(run.target.url, policy: egress, resolve: HostResolver.resolve) {
        case .send(let url, let host): target = (url, host)
        case .refused(let refusal): return .refused(reason: refusal.reason, error: refusal.message)
        case .unresolvable(let error):
            if Task.isCancelled { throw CancellationError() }
            return .retryableFailure(status: nil, error: error, requestedDelay: nil)
        }
        let sentAtSeconds = clock.nowNs() / 1_000_000_000
        let payload = WebhookPayload(run, sentAtSeconds: sentAtSeconds)
        var request = HTTPClientRequest(url: target.url)
        request.method = HTTPMethod(rawValue: payload.method)
        for header in run.target.headers { request.headers.add(name: header.name, value: header.value) }
        if let host = target.host, !request.headers.contains(name: "Host") {
            request.headers.add(name: "Host", value: host)
        }
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
            // Signed over the exact bytes sent, at send time: a receiver checks the signature, then the age of the
            // timestamp. The id is the run's, the same on every attempt, as the specification asks.
            for header in signer.headers(
                id: "\(run.jobID)/\(run.run)", timestampSeconds: sentAtSeconds,
                body: payload.body)
            {
                request.headers.replaceOrAdd(name: header.name, value: header.value)
            }
        }
        if !payload.body.isEmpty { request.body = .bytes(ByteBuffer(bytes: payload.body)) }
        return try await send(request, timeoutMs: run.timeoutMs)
    }

    /// A callback: a JSON POST of `body` to `url` through the egress guard, signed as a webhook is under `id`,
    /// with `headers` added, and its answer classified and bounded as a webhook's. Throws only
    /// `CancellationError`.
    func post(
        json body: [UInt8], to url: String, id: String, headers: [(name: String, value: String)],
        timeoutMs: UInt32, egress: EgressPolicy
    ) async throws -> WebhookResult {
        var request: HTTPClientRequest
        switch await EgressGuard.check(url, policy: egress, resolve: HostResolver.resolve) {
        case .send(let pinned, let host):
            request = HTTPClientRequest(url: pinned)
            if let host { request.headers.add(name: "Host", value: host) }
        case .refused(let refusal): return .refused(reason: refusal.reason, error: refusal.message)
        case .unresolvable(let error):
            if Task.isCancelled { throw CancellationError() }
            return .retryableFailure(status: nil, error: error, requestedDelay: nil)
        }
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tock-executor")
        for header in headers { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        if let signer {
            for header in signer.headers(id: id, timestampSeconds: clock.nowNs() / 1_000_000_000, body: body) {
                request.headers.replaceOrAdd(name: header.name, value: header.value)
            }
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await send(request, timeoutMs: timeoutMs)
    }

    /// Sends `request` and classifies the answer by the outcome policy.
    private func send(_ request: HTTPClientRequest, timeoutMs: UInt32) async throws -> WebhookResult {
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutMs)))
            let status = Int(response.status.code)
            let retryAfter = response.headers.first(name: "Retry-After")
            let text = try await excerpt(of: response.body)
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
            return .retryableFailure(
                status: nil, error: Self.describe(error, timeoutMs: timeoutMs),
                requestedDelay: nil)
        }
    }

    /// The first `excerptLimit` bytes of an answer, as safe text. Reading stops there: leaving the loop drops the
    /// body stream, and the client then cancels the request and closes the connection, so an endless or huge
    /// answer costs neither memory nor time (a small answer read to its end keeps its connection for reuse).
    private func excerpt(of body: HTTPClientResponse.Body) async throws -> String {
        var kept: [UInt8] = []
        for try await chunk in body {
            kept += chunk.readableBytesView.prefix(excerptLimit + 1 - kept.count)
            if kept.count > excerptLimit { break }
        }
        return AnswerExcerpt.text(of: kept, limit: excerptLimit)
    }

    private static func describe(_ error: any Error, timeoutMs: UInt32) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout {
            return "timed out after \(timeoutMs) ms"
        }
        return "\(error)"
    }
}
