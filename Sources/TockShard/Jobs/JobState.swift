/// Where a job is in its life: scheduled → published → succeeded | failed, or cancelled from scheduled or published.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case scheduled, published, succeeded, failed, cancelled

    /// No further delivery will change the outcome.
    public var isFinished: Bool { self == .succeeded || self == .failed }
}
