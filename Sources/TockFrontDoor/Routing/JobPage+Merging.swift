import TockShard

extension JobPage {
    /// One page of a listing from each shard's page after the same cursor. Each shard returns up to `limit` jobs
    /// and where it would go on (its last job on a full page, its last examined job when it stopped looking
    /// first, nothing when it has no more), so every matching job up to the least of those positions is in hand:
    /// the merge's first `limit` up to there are exactly the next `limit` jobs overall, in creation order.
    static func merging(_ pages: [JobPage], limit: Int) -> JobPage {
        var jobs: [JobView] = []
        var frontier: (ulid: Substring, id: String)?
        for page in pages {
            jobs.append(contentsOf: page.jobs)
            // A shard from before positions were reported says only that its page is full.
            guard let position = page.next_cursor ?? (page.jobs.count >= limit ? page.jobs.last?.id : nil) else {
                continue
            }
            let ulid = ListCursor.ulid(of: position)
            if frontier.map({ ulid < $0.ulid }) ?? true { frontier = (ulid, position) }
        }
        if let frontier { jobs.removeAll { ListCursor.ulid(of: $0.id) > frontier.ulid } }
        jobs.sort { ListCursor.ulid(of: $0.id) < ListCursor.ulid(of: $1.id) }
        let page = Array(jobs.prefix(limit))
        return JobPage(jobs: page, next_cursor: jobs.count > limit ? page.last?.id : frontier?.id)
    }
}
