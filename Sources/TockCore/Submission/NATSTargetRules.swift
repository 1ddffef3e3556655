/// What a job may send as its NATS message (`Destination.nats`), checked at submit and again by the executor that
/// publishes it.
///
/// The executor publishes with its own credentials, so a job must not reach Tock's own subjects (`tock.>`: it could
/// forge runs and completions), the server's (`$JS.>`, `$SYS.>`, `$KV.>` and every other subject starting with `$`:
/// JetStream's API could delete a stream) or replies (`_INBOX.>`). Nor may it set the headers JetStream acts on
/// (`Nats-*`: `Nats-Rollup` would purge a stream, `Nats-Msg-Id` and `Nats-Expected-*` would change what is stored),
/// or those the executor sets on every message.
public enum NATSTargetRules {
    public static let maxSubjectBytes = 256
    /// Set by the executor on every message it publishes for a run.
    public static let executorHeaders = ["Tock-Job-Id", "Tock-Run", "Tock-Attempt", "Tock-Due-At"]

    /// Why `subject` may not be a job's destination, or nil.
    public static func problem(withSubject subject: String) -> String? {
        guard !subject.isEmpty else { return "is required" }
        guard subject.utf8.count <= maxSubjectBytes else { return "is longer than \(maxSubjectBytes) bytes" }
        // Printable ASCII only: no whitespace or control character (either would end the subject on the wire) and
        // no wildcard, which a publish cannot use.
        guard
            subject.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "*") && $0 != UInt8(ascii: ">") }
            )
        else { return "must be one subject: printable ASCII, without spaces or the wildcards * and >" }
        let tokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        guard !tokens.contains(where: \.isEmpty) else {
            return "has an empty token (a leading, trailing or double dot)"
        }
        if tokens[0] == "tock" { return "tock.> is Tock's own; a job may not publish there" }
        if subject.hasPrefix("$") { return "subjects starting with $ are the server's; a job may not publish there" }
        if tokens[0] == "_INBOX" { return "_INBOX.> carries replies; a job may not publish there" }
        return nil
    }

    /// Why a header named `name` may not be on a job's NATS message, or nil.
    public static func problem(withHeaderName name: String) -> String? {
        guard HTTPFieldSyntax.isToken(name) else { return "header name '\(name)' is not a valid token" }
        let lowered = name.lowercased()
        if lowered.hasPrefix("nats-") { return "header '\(name)': Nats-* headers are JetStream's and cannot be given" }
        if executorHeaders.contains(where: { $0.lowercased() == lowered }) {
            return "header '\(name)' is set by Tock and cannot be given"
        }
        return nil
    }
}
