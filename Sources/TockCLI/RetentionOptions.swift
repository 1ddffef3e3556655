import ArgumentParser
import TockCore
import TockShard

/// How long a shard keeps finished jobs (ops/README.md, "Retention").
struct RetentionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "How long finished jobs (succeeded, failed, cancelled) and finished runs of recurring jobs are kept before "
                + "the leader deletes them, e.g. 7d; a deleted job's idempotency key is free again. 0 keeps them forever.",
            valueName: "duration"))
    var retention: String = "7d"

    func apply(to configuration: inout ShardConfiguration) throws {
        guard let retention = DurationText.parse(retention), retention >= .zero,
            retention == .zero || retention >= .seconds(1)
        else {
            throw ValidationError(
                "--retention must be a duration of at least 1s, such as 7d, or 0 to keep jobs forever")
        }
        configuration.retention = retention
    }
}
