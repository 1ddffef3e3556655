import TockSQLite

/// The columns `RaftStore` reads, by name (`ColumnSet`), one set per table.
enum RaftHardStateColumn: String, ColumnSet {
    static let table = "raft_hard_state"
    static let positions = positionsInOrder()

    case term
    case vote
    case commitIndex = "commit_index"
}

enum RaftSnapshotColumn: String, ColumnSet {
    static let table = "raft_snapshot"
    static let positions = positionsInOrder()

    case index = "idx"
    case term
    case membership
}

enum RaftEntryColumn: String, ColumnSet {
    static let table = "raft_entries"
    static let positions = positionsInOrder()

    case index = "idx"
    case term
    case kind
    case data
}

/// What pruning needs of an entry: where it is and how much it frees.
enum RaftEntrySizeColumn: String, ColumnSet {
    static let table = "raft_entries"
    static let positions = positionsInOrder()
    static let list = selectList { $0 == .index ? "idx" : "length(data)" }

    case index = "idx"
    case bytes
}

enum RaftNodeColumn: String, ColumnSet {
    static let table = "raft_nodes"
    static let positions = positionsInOrder()

    case node
    case raftAddress = "raft_address"
    case httpAddress = "http_address"
}
