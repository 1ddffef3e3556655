import ArgumentParser
import TockCore
import TockShard

/// How the shard leader looks for published runs whose message JetStream lost (Sources/ARCHITECTURE.md,
/// "Reconciliation").
struct ReconcileOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "How often the leader looks up overdue published runs in their job stream and publishes again those "
                + "JetStream lost, e.g. 30s (it also looks when it starts leading and when NATS reconnects).",
            valueName: "duration"))
    var reconcileInterval: String = "30s"
    @Option(
        help: ArgumentHelp(
            "The least time after its publish before a run is looked up, e.g. 60s; a run is looked up once it is "
                + "out longer than this and than its attempts, timeout, ack wait and back-off allow (see --config).",
            valueName: "duration"))
    var lostRunAfter: String = "60s"

    func apply(to configuration: inout ShardConfiguration) throws {
        guard let interval = DurationText.parse(reconcileInterval), interval >= .milliseconds(100) else {
            throw ValidationError("--reconcile-interval must be a duration of at least 100ms, such as 30s")
        }
        guard let after = DurationText.parse(lostRunAfter), after >= .seconds(1) else {
            throw ValidationError("--lost-run-after must be a duration of at least 1s, such as 60s")
        }
        configuration.reconcileInterval = interval
        configuration.lostRunAfter = after
    }
}
