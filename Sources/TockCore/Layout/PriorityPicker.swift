import TockModel

/// Chooses which priority's waiting run takes the next free executor slot.
///
/// `weighted` is stride scheduling: each priority advances a virtual time by 1/weight per run started, and the
/// priority with work and the least virtual time goes next, so under saturation the runs started follow the
/// weights exactly, and a priority with nothing waiting is skipped (its share goes to the others: work-conserving).
/// A priority that comes back from idle starts at the current virtual time, not at its old one, so it cannot
/// claim a burst for the time it was idle — nor be starved for it. `strict` always serves the most urgent
/// priority with work.
public struct PriorityPicker: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        case weighted, strict
    }

    public var mode: Mode
    public private(set) var weights: [Priority: Int]
    /// Virtual time per priority, in units of 1/(product-free) `scale`ths of a run.
    private var pass: [Priority: UInt64] = [:]
    private var now: UInt64 = 0
    private static let scale: UInt64 = 1 << 20

    /// `weights` must be positive for every priority used in `weighted` mode; a missing weight counts as 1.
    public init(mode: Mode, weights: [Priority: Int]) {
        self.mode = mode
        self.weights = weights
    }

    /// The priority whose run starts next, among those that have one waiting; nil when none does.
    public mutating func pick(waiting: Set<Priority>) -> Priority? {
        guard let chosen = peek(waiting: waiting) else { return nil }
        started(chosen)
        return chosen
    }

    /// The priority `pick` would choose, without choosing it (the caller may find it cannot run it yet).
    public func peek(waiting: Set<Priority>) -> Priority? {
        switch mode {
        case .strict:
            return waiting.min()
        case .weighted:
            var best: (priority: Priority, pass: UInt64)?
            for priority in Priority.allCases where waiting.contains(priority) {
                let start = max(pass[priority] ?? now, now)
                if best == nil || start < best!.pass { best = (priority, start) }
            }
            return best?.priority
        }
    }

    /// Records that a run of `priority` started.
    public mutating func started(_ priority: Priority) {
        guard mode == .weighted else { return }
        let start = max(pass[priority] ?? now, now)
        now = start
        pass[priority] = start + Self.scale / UInt64(max(1, weights[priority] ?? 1))
    }

    /// Applies new settings (a reloaded config) without forgetting the virtual times.
    public mutating func update(mode: Mode, weights: [Priority: Int]) {
        self.mode = mode
        self.weights = weights
    }
}
