/// One of the six positions in a cron expression: what it is called in messages, the numbers it accepts and the
/// names that stand for numbers.
enum CronFieldKind: Sendable, CaseIterable {
    case second, minute, hour, dayOfMonth, month, dayOfWeek

    var label: String {
        switch self {
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        }
    }

    /// What a value may be written as. Day-of-week accepts 7 as well as 0 for Sunday, as most crons do.
    var accepted: ClosedRange<Int> {
        switch self {
        case .second, .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// What `*` covers: for day-of-week, Sunday once (as 0).
    var all: ClosedRange<Int> { self == .dayOfWeek ? 0...6 : accepted }

    /// Three-letter names, the first standing for `all.lowerBound`.
    var names: [String] {
        switch self {
        case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        default: []
        }
    }

    /// `?` means "any" only where Quartz users write it: the two day fields.
    var acceptsQuestionMark: Bool { self == .dayOfMonth || self == .dayOfWeek }

    /// The value stored for one written: Sunday written as 7 is stored as 0.
    func canonical(_ value: Int) -> Int { self == .dayOfWeek && value == 7 ? 0 : value }

    /// How the accepted values are described in an error message.
    var allowedText: String {
        let numbers = "\(accepted.lowerBound)-\(accepted.upperBound)"
        guard let first = names.first, let last = names.last else { return numbers }
        return "\(numbers) or \(first)-\(last)"
    }
}
