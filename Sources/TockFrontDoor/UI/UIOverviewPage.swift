import TockAuth
import TockModel
import TockShard

/// `/ui/`: jobs by state, each priority's queue (depth, pending, ack pending, redelivered, oldest), and this node's
/// Raft group; refreshed in place every 2 s by the page's script.
enum UIOverviewPage {
    struct Data {
        var counts: JobCounts?
        var countsError: String?
        var queues: [Priority: QueueDepth]
        /// Every shard's Raft group, for an administrator; empty otherwise.
        var shards: [UIShardsView.Row]
        /// nil where nobody listens for them (a router).
        var executors: [ExecutorRoster.Entry]?
    }

    static func render(_ data: Data, caller: Caller, message: UILayout.Message) -> String {
        UILayout.page(title: "Overview", section: .overview, caller: caller, message: message, refreshEveryMs: 2000) {
            html in
            html.element("h2", text: "Jobs by state")
            if let counts = data.counts {
                html.element("div", ["class": "cards", "id": "job-counts"]) { html in
                    for state in JobState.allCases {
                        html.element("a", ["class": "card", "href": "/ui/jobs?state=\(state.rawValue)"]) { html in
                            html.element("b", text: "\(counts.total[state.rawValue] ?? 0)")
                            html.text(state.rawValue)
                        }
                    }
                }
            } else {
                html.element("p", ["class": "error"], text: "Counts unavailable: \(data.countsError ?? "unknown")")
            }

            html.element("h2", text: "Queues")
            if data.queues.isEmpty {
                html.element("p", ["class": "muted"], text: "Not known here (a router, or the broker unreachable).")
            } else {
                let rows = Priority.allCases.compactMap { priority in data.queues[priority].map { (priority, $0) } }
                UILayout.table(
                    &html, headers: ["priority", "depth", "pending", "ack pending", "redelivered", "oldest"],
                    rows: rows, id: "queues"
                ) { html, item in
                    let (priority, queue) = item
                    html.element("td", text: priority.rawValue)
                    html.element("td", text: "\(queue.depth)")
                    html.element("td", text: "\(queue.pending)")
                    html.element("td", text: "\(queue.ackPending)")
                    html.element("td", text: "\(queue.redelivered)")
                    html.element("td", text: queue.oldestAgeSeconds.map { String(format: "%.1f s", $0) } ?? "-")
                }
            }

            if let executors = data.executors {
                html.element("h2", text: "Executors")
                if executors.isEmpty {
                    html.element("p", ["class": "muted"], text: "None heard from in the last 10 s.")
                } else {
                    let now = ContinuousClock.now
                    UILayout.table(
                        &html, headers: ["executor", "runs in flight", "open circuits", "heard"], rows: executors,
                        id: "executors"
                    ) { html, entry in
                        let beat = entry.heartbeat
                        html.element("td", text: beat.id)
                        html.element("td", text: "\(beat.inFlight) of \(beat.concurrency)")
                        html.element(
                            "td", ["class": "wrap"],
                            text: beat.openCircuits.isEmpty
                                ? "none" : beat.openCircuits.map { "\($0.host) (\($0.state))" }.joined(separator: ", "))
                        let seconds = Double((now - entry.heardAt).components.seconds)
                        html.element("td", text: String(format: "%.0f s ago", seconds))
                    }
                }
            }
            guard !data.shards.isEmpty else { return }
            html.element("h2", text: "Shards")
            UILayout.table(
                &html,
                headers: [
                    "shard", "answered by", "role", "leader", "term", "commit", "applied", "last", "voters", "learners",
                ],
                rows: data.shards, id: "cluster"
            ) { html, row in
                html.element("td", text: "\(row.shard)")
                guard let cluster = row.status else {
                    html.element("td", ["colspan": "9", "class": "error"], text: row.error ?? "no answer")
                    return
                }
                html.element("td", text: cluster.node)
                html.element("td", text: cluster.role)
                html.element("td", text: cluster.leader ?? "-")
                html.element("td", text: "\(cluster.term)")
                html.element("td", text: "\(cluster.commitIndex)")
                html.element("td", text: "\(cluster.appliedIndex)")
                html.element("td", text: "\(cluster.lastIndex)")
                html.element("td", text: cluster.voters.joined(separator: ", "))
                html.element("td", text: cluster.learners.joined(separator: ", "))
            }
        }
    }
}
