/// scheduled-db's `GET /jobs?status=`: `{"jobs": [<execution state>…], "total": <count>}`.
public struct ScheduledDBJobListView: Codable, Sendable, Equatable {
    public var jobs: [ScheduledDBExecutionState]
    public var total: Int

    public init(jobs: [ScheduledDBExecutionState]) {
        self.jobs = jobs
        total = jobs.count
    }
}
