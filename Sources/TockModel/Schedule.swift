/// A recurring job's schedule, as submitted: the cron text and its bounds and policies. The shard's leader turns
/// it into fire times (TockCore's cron module); replicas only store it.
public struct Schedule: Equatable, Sendable {
    /// What a run that comes due while the previous run is still running does.
    public enum Overlap: String, Equatable, Sendable, CaseIterable {
        case allow, skip, wait
    }

    /// What happens to occurrences missed while the shard could not publish.
    public enum Misfire: String, Equatable, Sendable, CaseIterable {
        case runOnce = "run_once"
        case skip
    }

    public var cron: String
    /// IANA name; "" is UTC.
    public var timeZone: String
    public var startAtNs: Int64?
    public var endAtNs: Int64?
    public var overlap: Overlap
    public var misfire: Misfire

    public init(
        cron: String, timeZone: String = "", startAtNs: Int64? = nil, endAtNs: Int64? = nil,
        overlap: Overlap = .allow, misfire: Misfire = .runOnce
    ) {
        self.cron = cron
        self.timeZone = timeZone
        self.startAtNs = startAtNs
        self.endAtNs = endAtNs
        self.overlap = overlap
        self.misfire = misfire
    }
}
