/// What is wrong with a piece of a cron expression; `CronExpression.parse` turns it into a `FieldError` on the
/// caller's field, so the pieces need not know the field's name.
struct CronSyntaxProblem: Error {
    let message: String

    init(_ message: String) { self.message = message }
}
