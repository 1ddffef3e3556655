import AsyncHTTPClient

/// How executors' HTTP client is set up, in one place, for `WebhookClient` and for `tock bench jetstream
/// --webhook`, whose baseline must pay what an executor pays per call.
public enum WebhookHTTP {
    public static var configuration: HTTPClient.Configuration {
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
        return configuration
    }
}
