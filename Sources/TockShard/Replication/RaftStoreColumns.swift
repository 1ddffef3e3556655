import TockSQLite

/// The columns `RaftStore` reads, by name (`ColumnSet`), one set per table.
enum RaftHardStateColumn: String, ColumnSet {
    static let table = "raft_hard_state"

    case term
    case vote
    case commitIndex = "commit_index"
}

enum RaftSnapshotColumn: String, ColumnSet {
    static let table = "raft_snapshot"

    case index = "idx"
    case term
    case membership
}

enum RaftEntryColumn: String, ColumnSet {
    static let table = "raft_entries"

    case index = "idx"
    case term
    case kind
    case data
}

/// What pruning needs of an entry: where it is and how much it frees.
enum RaftEntrySizeColumn: String, ColumnSet {
    static let table = "raft_entries"
    static let list = selectList { $0 == .index ? "idx" : "length(data)" }

    case index = "idx"
    case bytes
}

enum RaftNodeColumn: String, ColumnSet {
    static let table = "raft_nodes"

    case node
    case raftAddress = "raft_address"
    case httpAddress = "http_address"
}
