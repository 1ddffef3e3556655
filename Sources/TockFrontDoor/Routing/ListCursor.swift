import TockCore

/// A listing's position across shards: the id of the last job of the previous page. Job ids are
/// "<shard>-<ULID>" and ULIDs sort by creation time, so every shard continues after the same ULID and the merged
/// pages come out in creation order, stable while jobs are added. (Two jobs on different shards with the very same
/// ULID, 80 random bits apart, would be skipped or repeated; that is not a practical concern.)
struct ListCursor: Sendable, Equatable {
    let ulid: String

    init?(_ text: String) {
        guard JobID.shard(of: text) != nil, let dash = text.firstIndex(of: "-") else { return nil }
        ulid = String(text[text.index(after: dash)...])
    }

    func id(inShard shard: UInt32) -> String { "\(shard)-\(ulid)" }

    /// The ULID part of a job id, by which jobs of different shards merge.
    static func ulid(of id: String) -> Substring {
        guard let dash = id.firstIndex(of: "-") else { return Substring(id) }
        return id[id.index(after: dash)...]
    }
}
