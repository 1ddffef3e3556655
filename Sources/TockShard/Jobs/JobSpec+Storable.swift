import TockCore
import TockModel
import TockWire

extension JobSpec {
    /// Clock skew allowed between the node that validated a submit and the leader that stamped its creation time.
    static let creationSkewNs: Int64 = 86_400_000_000_000

    /// Why a create command may not store this job, or nil. Every front end validates against `TimeWindow` first,
    /// so this only refuses what came another way (an older node, a hand-made command); it decides from the command
    /// alone — its times against the creation time the leader wrote, never a clock or the host's time zones — so
    /// every replica refuses the same commands.
    func problemForStorage(createdAtNs: Int64) -> FieldError? {
        let window = TimeWindow.around(createdAtNs)
        let allowed =
            window.lowerBound.saturatingSubtracting(
                Self.creationSkewNs)...window.upperBound.saturatingAdding(Self.creationSkewNs)
        func outside(_ ns: Int64?, _ field: String) -> FieldError? {
            guard let ns, !allowed.contains(ns) else { return nil }
            return FieldError(
                field: field, code: "out_of_range",
                message: "\(field) \(RFC3339.format(ns: ns)) is not within \(TimeWindow.spanText) of the job's creation"
            )
        }
        if id.isEmpty { return FieldError(field: "id", message: "a stored job needs an id") }
        switch destination {
        case .webhook:
            if target.url.isEmpty { return FieldError(field: "url", code: "missing_field", message: "url is required") }
        case .nats(let message):
            if let problem = NATSTargetRules.problem(withSubject: message.subject) {
                return FieldError(field: "nats.subject", message: problem)
            }
        case .timer: break
        }
        if let flow {
            do throws(FieldError) { try JobRequest.validate(flow) } catch { return error }
        }
        if let problem = outside(dueAtNs, "run_at") { return problem }
        guard let schedule else { return nil }
        if let problem = outside(schedule.startAtNs, "schedule.start") ?? outside(schedule.endAtNs, "schedule.end") {
            return problem
        }
        do throws(FieldError) {
            _ = try CronExpression.parse(schedule.cron, field: "schedule.cron")
        } catch {
            return error
        }
        return nil
    }
}
