import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TockCore
import TockExecutor
import TockWire

struct ExecutorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executor", abstract: "Run an executor: pull due runs from JetStream and call their webhooks.")

    @Option(help: "Most webhooks in flight at once.") var concurrency: Int = 64
    @Option(help: "Most messages per fetch.") var fetchBatch: Int = 32
    @Option(help: "Back-off after the first failed attempt; doubles each attempt.") var backoffBase: String = "1s"
    @Option(help: "Longest back-off between attempts.") var backoffMax: String = "60s"
    @Option(help: "The consumers' ack wait (as in nats/jetstream.json).") var ackWait: String = "60s"
    @Option(help: "Executor id recorded in completions.") var id: String?
    @Option(help: "Most webhooks in flight at once to one target host:port.") var perHostConcurrency: Int = 16
    @Option(help: "Consecutive failed attempts against a host that open its circuit breaker.")
    var breakerFailures: Int = 5
    @Option(help: "How long an open circuit breaker defers every run for its host.") var breakerCooldown: String = "30s"
    @Option(help: ArgumentHelp(
        "File holding the secret that signs webhooks (Tock-Signature); trailing newlines are ignored.",
        discussion: "Without it, the TOCK_SIGNING_SECRET environment variable is used; without either, "
            + "nothing is signed."))
    var signingSecretFile: String?
    @OptionGroup var nats: NATSOptions
    @OptionGroup var logging: LoggingOptions

    func configuration() throws -> ExecutorConfiguration {
        var configuration = ExecutorConfiguration()
        configuration.natsURL = nats.natsURL
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
        guard fetchBatch > 0 else { throw ValidationError("--fetch-batch must be positive") }
        configuration.concurrency = concurrency
        configuration.fetchBatch = fetchBatch
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
        guard perHostConcurrency > 0 else { throw ValidationError("--per-host-concurrency must be positive") }
        configuration.perHostConcurrency = perHostConcurrency
        guard breakerFailures > 0 else { throw ValidationError("--breaker-failures must be positive") }
        guard let coolDown = DurationText.parse(breakerCooldown), coolDown > .zero else {
            throw ValidationError("--breaker-cooldown must be a positive duration such as 30s")
        }
        configuration.circuitBreaker = CircuitBreakerPolicy(failureThreshold: breakerFailures, coolDown: coolDown)
        configuration.webhookSigner = try signer()
        return configuration
    }

    /// The secret comes from a file (so it is not in `ps` output or shell history) or the environment.
    private func signer() throws -> WebhookSigner? {
        var secret: [UInt8]
        if let signingSecretFile {
            guard let contents = FileManager.default.contents(atPath: signingSecretFile) else {
                throw ValidationError("--signing-secret-file \(signingSecretFile) cannot be read")
            }
            secret = Array(contents)
        } else if let fromEnvironment = ProcessInfo.processInfo.environment["TOCK_SIGNING_SECRET"],
                  !fromEnvironment.isEmpty {
            secret = Array(fromEnvironment.utf8)
        } else {
            return nil
        }
        // `echo secret > file` adds a newline that is not part of the secret.
        while let last = secret.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { secret.removeLast() }
        guard let signer = WebhookSigner(secret: secret) else {
            throw ValidationError("the signing secret is empty (--signing-secret-file or TOCK_SIGNING_SECRET)")
        }
        return signer
    }

    func run() async throws {
        let logger = try logging.makeLogger("tock.executor")
        let executor = Executor(configuration: try configuration(), logger: logger)
        logger.info("executor starting", metadata: ["id": "\(executor.configuration.executorID)"])
        try await ServiceGroup(configuration: .init(
            services: [.init(service: TaskService("executor") { await executor.run() })],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
    }
}
