import TockAuth
import TockShard

/// `/ui/jobs/{id}`: every field of a job (secret header values read as `***`, as the API shows them), its runs with
/// their state, attempts and error, and the actions its state allows: cancel, retry, pause, resume.
enum UIJobPage {
    static func render(_ job: JobView, runs: JobRunsView?, caller: Caller, message: UILayout.Message) -> String {
        UILayout.page(title: "Job \(job.id)", section: .jobs, caller: caller, message: message) { html in
            if caller.allows(.jobsWrite) { actions(&html, job) }
            html.element("h2", text: "Fields")
            UILayout.table(&html, headers: ["field", "value"], rows: fields(of: job), id: "fields") { html, field in
                html.element("th", text: field.0)
                html.element("td", ["class": "wrap"], text: field.1)
            }
            html.element("h2", text: "Runs")
            guard let runs, !runs.runs.isEmpty else {
                html.element(
                    "p", ["class": "muted"],
                    text: "No run history (a one-time job's only run is the job itself: see its fields).")
                return
            }
            UILayout.table(
                &html,
                headers: ["run", "due", "state", "published", "finished", "attempts", "last status", "last error"],
                rows: runs.runs, id: "runs"
            ) { html, run in
                html.element("td", text: "\(run.run)")
                html.element("td", text: run.due_at)
                html.element("td", ["class": "state-\(run.state)"], text: run.state)
                html.element("td", text: run.published_at ?? "")
                html.element("td", text: run.finished_at ?? "")
                html.element("td", text: "\(run.attempts)")
                html.element("td", text: run.last_status.map { "\($0)" } ?? "")
                html.element("td", ["class": "wrap"], text: run.last_error ?? "")
            }
        }
    }

    private static func actions(_ html: inout HTMLPage, _ job: JobView) {
        let base = "/ui/jobs/\(job.id)"
        html.element("p", ["id": "actions"]) { html in
            switch job.state {
            case "scheduled", "published":
                UILayout.actionButton(
                    &html, "Cancel", action: "\(base)/cancel", confirm: "Cancel job \(job.id)?", danger: true)
                if job.schedule != nil {
                    if job.paused == true {
                        UILayout.actionButton(&html, "Resume", action: "\(base)/resume")
                    } else {
                        UILayout.actionButton(&html, "Pause", action: "\(base)/pause")
                    }
                }
            default:
                UILayout.actionButton(&html, "Retry", action: "\(base)/retry", confirm: "Run job \(job.id) again?")
            }
        }
    }

    /// The job's fields in the API's words, those not set left out.
    static func fields(of job: JobView) -> [(String, String)] {
        var fields: [(String, String?)] = [
            ("id", job.id), ("state", job.state), ("shard", "\(job.shard)"), ("priority", job.priority),
            ("destination", job.destination ?? "webhook"),
        ]
        if let nats = job.nats {
            fields += [
                ("nats subject", nats.subject),
                (
                    "nats headers",
                    nats.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
                ),
                ("nats body", nats.body),
            ]
        } else if job.destination == nil {
            fields += [
                ("url", job.url), ("method", job.method),
                (
                    "headers",
                    job.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
                ),
                ("body", job.body), ("webhook format", job.webhook_format ?? "tock"),
            ]
        }
        fields += [
            ("run", "\(job.run)"), ("run at", job.run_at), ("timeout", job.timeout),
            ("max attempts", "\(job.max_attempts)"),
            ("attempts", "\(job.attempts)"), ("last status", job.last_status.map { "\($0)" }),
            ("last error", job.last_error),
            ("idempotency key", job.idempotency_key), ("tenant", job.tenant), ("created at", job.created_at),
            ("updated at", job.updated_at), ("published at", job.published_at),
            ("stream sequence", job.stream_sequence.map { "\($0)" }), ("finished at", job.finished_at),
            ("cancelled at", job.cancelled_at), ("executor", job.executor_id),
            ("schedule", job.schedule.map { "\($0.cron) (\($0.time_zone))" }), ("paused", job.paused.map { "\($0)" }),
            ("callback url", job.callback_url), ("failure callback url", job.failure_callback_url),
        ]
        return fields.compactMap { name, value in value.map { (name, $0) } }
    }
}
