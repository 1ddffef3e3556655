import TockAuth
import TockModel
import TockShard

/// `/ui/jobs` and `/ui/dead-letters`: a page of jobs matching a filter (state, priority, tenant for an admin; a
/// search by id or idempotency key), with cursor paging. The dead letters are the failed jobs, each with a retry
/// button, and a button that retries every one the filter matches.
enum UIJobsPage {
    struct Filter: Equatable {
        var state: JobState?
        var priority: Priority?
        var tenant: String?
        /// An idempotency key (an id is looked up directly).
        var key: String?
        var cursor: String?

        func query(limit: Int) -> JobListQuery {
            var query = JobListQuery(
                state: state, priority: priority, idempotencyKey: key, tenant: tenant, cursor: cursor, limit: limit)
            query.limit = limit
            return query
        }

        /// The query string of this filter, without the cursor, and with `cursor` when given.
        func queryString(cursor: String? = nil) -> String {
            var parts: [String] = []
            if let state { parts.append("state=\(state.rawValue)") }
            if let priority { parts.append("priority=\(priority.rawValue)") }
            if let tenant { parts.append("tenant=\(HTMLPage.queryValue(tenant))") }
            if let key { parts.append("q=\(HTMLPage.queryValue(key))") }
            if let cursor { parts.append("cursor=\(HTMLPage.queryValue(cursor))") }
            return parts.joined(separator: "&")
        }
    }

    static func render(
        _ page: JobPage, filter: Filter, deadLetters: Bool, caller: Caller, message: UILayout.Message
    ) -> String {
        let path = deadLetters ? "/ui/dead-letters" : "/ui/jobs"
        return UILayout.page(
            title: deadLetters ? "Dead letters" : "Jobs", section: deadLetters ? .deadLetters : .jobs, caller: caller,
            message: message
        ) { html in
            filters(&html, filter, path: path, deadLetters: deadLetters, caller: caller)
            if deadLetters, !page.jobs.isEmpty, caller.allows(.jobsWrite) {
                UILayout.actionButton(
                    &html, "Retry every dead letter that matches", action: "/ui/dead-letters/retry",
                    confirm: "Retry every failed job this filter matches?",
                    fields: [("priority", filter.priority?.rawValue ?? ""), ("tenant", filter.tenant ?? "")])
            }
            if page.jobs.isEmpty {
                html.element("p", ["class": "muted", "id": "no-jobs"], text: "No jobs match.")
                return
            }
            UILayout.table(
                &html,
                headers: ["id", "state", "priority", "target", "run at", "attempts", "last status", "last error", ""],
                rows: page.jobs, id: "jobs"
            ) { html, job in
                html.element("td") { $0.element("a", ["href": "/ui/jobs/\(job.id)"], text: job.id) }
                html.element("td", ["class": "state-\(job.state)"], text: job.state)
                html.element("td", text: job.priority)
                html.element("td", ["class": "wrap"], text: target(of: job))
                html.element("td", text: job.run_at)
                html.element("td", text: "\(job.attempts)")
                html.element("td", text: job.last_status.map { "\($0)" } ?? "")
                html.element("td", ["class": "wrap"], text: job.last_error.map { String($0.prefix(120)) } ?? "")
                html.element("td") { html in
                    if deadLetters, caller.allows(.jobsWrite) {
                        UILayout.actionButton(&html, "Retry", action: "/ui/jobs/\(job.id)/retry")
                    }
                }
            }
            if let next = page.next_cursor {
                html.element("p") {
                    $0.element(
                        "a", ["href": "\(path)?\(filter.queryString(cursor: next))", "id": "next-page"],
                        text: "Next page →")
                }
            }
        }
    }

    /// What a job calls or publishes, in a few words.
    static func target(of job: JobView) -> String {
        switch job.destination {
        case "nats": "NATS \(job.nats?.subject ?? "")"
        case "timer": "timer"
        default: "\(job.method) \(job.url)"
        }
    }

    private static func filters(
        _ html: inout HTMLPage, _ filter: Filter, path: String, deadLetters: Bool, caller: Caller
    ) {
        html.element("form", ["class": "filters", "method": "get", "action": path]) { html in
            if !deadLetters {
                choice(
                    &html, "State", name: "state", JobState.allCases.map(\.rawValue), selected: filter.state?.rawValue)
            }
            choice(
                &html, "Priority", name: "priority", Priority.allCases.map(\.rawValue),
                selected: filter.priority?.rawValue)
            if caller.allows(.admin) {
                html.element("label") { html in
                    html.text("Tenant")
                    html.open("input", ["name": "tenant", "value": filter.tenant ?? "", "placeholder": "any"])
                }
            }
            html.element("label") { html in
                html.text("Id or idempotency key")
                html.open("input", ["name": "q", "value": filter.key ?? "", "id": "search"])
            }
            html.raw("<button type=\"submit\">Filter</button>")
        }
    }

    /// A labelled `<select>` of `values`, "any" first.
    private static func choice(
        _ html: inout HTMLPage, _ label: String, name: String, _ values: [String], selected: String?
    ) {
        html.element("label") { html in
            html.text(label)
            html.element("select", ["name": name]) { html in
                html.element("option", ["value": ""], text: "any")
                for value in values {
                    if value == selected {
                        html.element("option", ["value": value, "selected": "selected"], text: value)
                    } else {
                        html.element("option", ["value": value], text: value)
                    }
                }
            }
        }
    }
}
