import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A one-line progress report on stderr, redrawn in place, for a person watching a long command. Shown only when
/// stderr is a terminal: piped or redirected output (a script, a log, `--json` read by a program) gets none of it.
struct TerminalProgress: Sendable {
    let enabled: Bool

    init(enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
    }

    /// Replaces the line shown before, if any.
    func show(_ line: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }

    /// Clears the line, so that the command's result starts on a clean one.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
