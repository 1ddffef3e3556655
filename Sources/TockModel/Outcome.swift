/// How a run ended, as reported by the executor.
///
/// `failed` is a final failure the executor reports without retrying further in
/// this delivery; `gaveUp` means the attempt budget (`maxAttempts`) is spent.
public enum Outcome: String, Sendable, Codable {
    case succeeded
    case failed
    case gaveUp = "gave_up"
}
