/// One parsed field of a cron expression: the values it allows, plus what its spelling says about intent, which
/// the day-matching rule and the daylight-saving rules depend on.
struct CronField: Equatable, Sendable {
    let values: CronFieldValues
    /// Written as `*` or `?` (with no step, or step 1): the field does not restrict anything. Only an unrestricted
    /// day field switches off Vixie cron's "either day field may match" rule.
    let isUnrestricted: Bool
    /// Some item is `*`/`?` or has a step (`*/15`, `1-23/2`, `5/10`): the field repeats rather than names fixed
    /// values. A stepped hour field makes a schedule interval-like across daylight-saving changes.
    let isStarOrStepped: Bool

    /// Parses a field's text: a comma-separated list of `*`, `?`, `n`, `a-b`, each optionally followed by `/step`;
    /// `n/step` means from n to the field's last value.
    static func parse(_ text: Substring, as kind: CronFieldKind) throws(CronSyntaxProblem) -> CronField {
        var values = CronFieldValues()
        var starOrStepped = false
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parsed = try parseItem(item, in: text, as: kind)
            values.formUnion(parsed.values)
            starOrStepped = starOrStepped || parsed.isStarOrStepped
        }
        let unrestricted = ["*", "?", "*/1", "?/1"].contains(text)
        return CronField(values: values, isUnrestricted: unrestricted, isStarOrStepped: starOrStepped)
    }

    private static func parseItem(_ item: Substring, in text: Substring, as kind: CronFieldKind)
        throws(CronSyntaxProblem) -> (values: CronFieldValues, isStarOrStepped: Bool)
    {
        let context = "\(kind.label) field \"\(text)\""
        guard !item.isEmpty else { throw CronSyntaxProblem("\(context) has an empty list item") }
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw CronSyntaxProblem("\(context): \"\(item)\" has more than one /") }
        let span = kind.all.count
        var step = 1
        if parts.count == 2 {
            guard let n = decimal(parts[1]), (1...span).contains(n) else {
                throw CronSyntaxProblem("\(context): step \"\(parts[1])\" must be a whole number from 1 to \(span)")
            }
            step = n
        }
        let range = parts[0]
        let low: Int
        let high: Int
        if range == "*" || range == "?" {
            guard range == "*" || kind.acceptsQuestionMark else {
                throw CronSyntaxProblem("\(context): ? is only allowed in the day-of-month and day-of-week fields")
            }
            (low, high) = (kind.all.lowerBound, kind.all.upperBound)
        } else if let dash = range.firstIndex(of: "-") {
            low = try value(range[..<dash], in: context, as: kind)
            let end = try value(range[range.index(after: dash)...], in: context, as: kind)
            // Sunday is both 0 and 7, so a range ending on it ("SAT-SUN", "5-0") runs to the week's end.
            high = kind == .dayOfWeek && end == 0 && low > 0 ? 7 : end
            guard low <= high else {
                throw CronSyntaxProblem("\(context): range \(range) runs backwards; write it as two ranges")
            }
        } else {
            low = try value(range, in: context, as: kind)
            // "5/10" is the start of a stepped run, as in Vixie cron and Quartz; a bare value names only itself.
            high = parts.count == 2 ? max(low, kind.all.upperBound) : low
        }
        var values = CronFieldValues()
        for value in stride(from: low, through: high, by: step) { values.insert(kind.canonical(value)) }
        return (values, range == "*" || range == "?" || parts.count == 2)
    }

    private static func value(_ text: Substring, in context: String, as kind: CronFieldKind)
        throws(CronSyntaxProblem) -> Int
    {
        if let number = decimal(text) {
            guard kind.accepted.contains(number) else {
                throw CronSyntaxProblem("\(context): \(number) is outside \(kind.allowedText)")
            }
            return number
        }
        if let index = kind.names.firstIndex(of: text.uppercased()) { return kind.all.lowerBound + index }
        throw CronSyntaxProblem("\(context): \"\(text)\" is not a number or name; allowed: \(kind.allowedText)")
    }

    /// Plain ASCII digits only: `Int("+5")` would accept a sign no cron does.
    private static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 4, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
