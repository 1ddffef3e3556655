/// A NATS URL (or a comma-separated list of them) as it may be logged: a user and password or a token in the
/// authority (`nats://user:secret@host:4222`, `nats://token@host`) becomes `***`
/// (`nats://***@host:4222`). Everything else is kept, so the log still names the server.
public func redactingNATSCredentials(_ urls: String) -> String {
    urls.split(separator: ",", omittingEmptySubsequences: false)
        .map { redactOne(Substring($0)) }
        .joined(separator: ",")
}

private func redactOne(_ url: Substring) -> String {
    let authorityStart = url.range(of: "://")?.upperBound ?? url.startIndex
    let rest = url[authorityStart...]
    let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
    guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return String(url) }
    return String(url[..<authorityStart]) + "***" + String(url[at...])
}
