import Foundation

/// A file-size limit (`ulimit -f`, `LimitFSIZE=`) reached by SQLite must reach the shard as a write error it can
/// report and stop on, not as SIGXFSZ, whose default action kills the process mid-transaction without a word.
enum FileSizeLimit {
    /// Call at the start of a command that writes files.
    static func reportAsWriteError() {
        signal(SIGXFSZ, SIG_IGN)
    }
}
