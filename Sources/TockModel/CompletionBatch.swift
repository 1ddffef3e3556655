/// The completions of several runs, published by an executor as one message on `tock.done.<shard>` so that the
/// broker stores, delivers and acks them once (Sources/ARCHITECTURE.md, "A job's path").
public struct CompletionBatch: Equatable, Sendable {
    public var completions: [Completion]

    public init(completions: [Completion]) {
        self.completions = completions
    }
}
