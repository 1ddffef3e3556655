import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TockCore
import TockExecutor
import TockModel
import TockWire

struct ExecutorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executor", abstract: "Run an executor: pull due runs from JetStream and call their webhooks.",
        discussion: EnvironmentArguments.serviceHelp)

    @Option(
        help: ArgumentHelp(
            "Queue config file (YAML): concurrency, fetch batch, scheduling, weights, back-off and ack wait per "
                + "priority. Re-read on SIGHUP. The flags below override it at start."))
    var config: String?
    @Option(help: "Most webhooks in flight at once (default 64).") var concurrency: Int?
    @Option(help: "Most runs waiting per priority, and per fetch (default 32).") var fetchBatch: Int?
    @Option(help: "Without --config: back-off after the first failed attempt; doubles each attempt.")
    var backoffBase: String = "1s"
    @Option(help: "Without --config: longest back-off between attempts.") var backoffMax: String = "60s"
    @Option(help: "Without --config: the consumers' ack wait (as in the queue config).") var ackWait: String = "60s"
    @Option(help: "Executor id recorded in completions.") var id: String?
    @Option(help: "Address of /metrics (Prometheus) and /healthz, or \"off\".") var metrics: String = "127.0.0.1:7080"
    @Option(
        help: ArgumentHelp(
            "On SIGTERM/SIGINT: stop fetching and wait this long for the webhooks in flight before handing them back."))
    var drainTimeout: String = "30s"
    @Option(help: "Most webhooks in flight at once to one target host:port (default 16; overrides the config).")
    var perHostConcurrency: Int?
    @Option(help: "Consecutive failed attempts against a host that open its circuit breaker.")
    var breakerFailures: Int?
    @Option(help: "How long an open circuit breaker defers every run for its host (default 30s).")
    var breakerCooldown: String?
    @Flag(help: "Leave jobs' callbacks (callback_url, failure_callback_url) to the other executors.")
    var noCallbacks = false
    @OptionGroup var webhookSecurity: WebhookSecurityOptions
    @OptionGroup var nats: NATSOptions
    @OptionGroup var logging: LoggingOptions

    func configuration() throws -> ExecutorConfiguration {
        var configuration = ExecutorConfiguration()
        if let config { configuration.apply(try loadQueueConfig(path: config)) }
        configuration.natsURL = nats.natsURL
        configuration.natsSecurity = try nats.natsSecurity()
        if let concurrency {
            guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
            configuration.concurrency = concurrency
        }
        if let fetchBatch {
            guard fetchBatch > 0 else { throw ValidationError("--fetch-batch must be positive") }
            configuration.fetchBatch = fetchBatch
        }
        guard let base = DurationText.parse(backoffBase), base > .zero else {
            throw ValidationError("--backoff-base must be a positive duration such as 1s")
        }
        guard let max = DurationText.parse(backoffMax), max >= base else {
            throw ValidationError("--backoff-max must be a duration not below --backoff-base")
        }
        guard let ack = DurationText.parse(ackWait), ack >= .seconds(1) else {
            throw ValidationError("--ack-wait must be a duration of at least 1s")
        }
        configuration.backoff = RetryBackoff(base: base, max: max)
        configuration.ackWait = ack
        if let id { configuration.executorID = id }
        if let perHostConcurrency {
            guard perHostConcurrency > 0 else { throw ValidationError("--per-host-concurrency must be positive") }
            configuration.perHostConcurrency = perHostConcurrency
        }
        if let breakerFailures {
            guard breakerFailures > 0 else { throw ValidationError("--breaker-failures must be positive") }
            configuration.circuitBreaker = CircuitBreakerPolicy(
                failureThreshold: breakerFailures, coolDown: configuration.circuitBreaker.coolDown)
        }
        if let breakerCooldown {
            guard let coolDown = DurationText.parse(breakerCooldown), coolDown > .zero else {
                throw ValidationError("--breaker-cooldown must be a positive duration such as 30s")
            }
            configuration.circuitBreaker = CircuitBreakerPolicy(
                failureThreshold: configuration.circuitBreaker.failureThreshold, coolDown: coolDown)
        }
        configuration.webhookSigner = try webhookSecurity.signer()
        configuration.deliverCallbacks = !noCallbacks
        configuration.allowEgress = try webhookSecurity.egress()
        return configuration
    }

    func run() async throws {
        let logger = try logging.makeLogger("tock.executor")
        SecondSignal.install()
        guard let grace = DurationText.parse(drainTimeout) else {
            throw ValidationError("--drain-timeout must be a duration such as 30s")
        }
        let executor = Executor(configuration: try configuration(), logger: logger)
        logger.info("executor starting", metadata: ["id": "\(executor.configuration.executorID)"])
        let reloads = config.map { path in
            ReloadOnHangup {
                do {
                    executor.reload(try loadQueueConfig(path: path))
                } catch {
                    logger.error(
                        "configuration not reloaded; keeping the previous one", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { reloads?.cancel() }
        try await ServiceGroup(
            configuration: .init(
                services: try services(executor, grace: grace, logger: logger),
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ).run()
    }
}

extension ExecutorCommand {
    private func services(_ executor: Executor, grace: Duration, logger: Logger) throws
        -> [ServiceGroupConfiguration.ServiceConfiguration]
    {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: DrainingExecutor(executor: executor, grace: grace))
        ]
        if metrics != "off" {
            let (host, port) = try parseHostPort(metrics, option: "--metrics")
            services.append(
                .init(
                    service: MetricsEndpoint.application(
                        host: host, port: port, executor: executor, logger: logger)))
        }
        // Last, so the first to hear of a shutdown: systemd learns of it before the drain starts.
        services.append(.init(service: SystemdNotifyService(readyAtStart: true)))
        return services
    }
}

/// The executor as a service: graceful shutdown (SIGTERM, SIGINT) drains it instead of cancelling it, so the
/// webhooks in flight finish and are acked (no duplicate calls), and the process exits 0.
struct DrainingExecutor: Service {
    let executor: Executor
    let grace: Duration

    func run() async throws {
        await withGracefulShutdownHandler {
            await executor.run()
        } onGracefulShutdown: {
            executor.drain(grace: grace)
        }
    }
}
