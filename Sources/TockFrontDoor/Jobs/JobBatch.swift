import Foundation
import TockAuth
import TockCore
import TockModel
import TockShard
import TockWire

/// `POST /v1/jobs:batch` and `tock.submit.batch`: `{"jobs": [ … ]}` with up to 1,000 jobs, each validated on its
/// own, so one bad job does not reject the others. The valid ones go to the gateway in one call, which makes
/// each owning shard's part one log entry. The answer lists, in order, each job's status with the job or its
/// error.
///
/// A node forwarding a shard's part to that shard's leader sends the same call with the `tock-shard` header and a
/// protobuf `tock.v1.JobSpecBatch` body, and gets the same answer back.
struct JobBatch: Sendable {
    static let maxJobs = 1000
    /// A batch body longer than this is a 413, refused before it is parsed.
    static let maxBodyBytes = 32 * 1024 * 1024

    struct Item: Codable, Sendable {
        var status: Int
        var job: JobView?
        var error: ErrorView.Detail?

        init(status: Int, job: JobView? = nil, error: ErrorView.Detail? = nil) {
            self.status = status
            self.job = job
            self.error = error
        }

        init(_ reply: JobReply) {
            switch reply {
            case .job(let status, let job): self.init(status: status, job: job)
            case .failure(let failure): self.init(status: failure.status, error: failure.error.error)
            }
        }

        /// Back from a forwarded part's answer.
        var reply: JobReply {
            if let job, (200..<300).contains(status) { return .job(status: status, job) }
            let view =
                error.map { ErrorView(code: $0.code, field: $0.field, message: $0.message) }
                ?? ErrorView(code: "http_\(status)", message: "the shard answered with neither a job nor an error")
            return .failure(JobFailure(status: status, error: view))
        }
    }

    struct Answer: Codable, Sendable, JSONWritable {
        var results: [Item]

        func write(to json: inout JSONText) {
            json.object { json in
                json.key("results")
                json.array(results) { json, item in
                    json.object { json in
                        if let error = item.error {
                            json.key("error")
                            error.write(to: &json)
                        }
                        if let job = item.job {
                            json.key("job")
                            job.write(to: &json)
                        }
                        json.field("status", item.status)
                    }
                }
            }
        }
    }

    let items: [Result<JobSpec, FieldError>]

    static func parse(json: some Collection<UInt8>, nowNs: Int64, policy: SubmitPolicy) throws(FieldError) -> JobBatch {
        let root = try JSONValue.object(parsing: json, notObject: "request body must be {\"jobs\": [...]}")
        if let unknown = root.keys.sorted().first(where: { $0 != "jobs" }) {
            throw FieldError(field: unknown, code: "unknown_field", message: "unknown field '\(unknown)'")
        }
        guard case .array(let jobs) = root["jobs"] else {
            throw FieldError(field: "jobs", code: "missing_field", message: "jobs must be a list of jobs")
        }
        try checkCount(jobs.count)
        return JobBatch(
            items: jobs.enumerated().map { index, job in
                guard case .object(let fields) = job else {
                    return .failure(FieldError(field: "jobs[\(index)]", message: "each job must be a JSON object"))
                }
                return Result { () throws(FieldError) in
                    try JobRequest.parse(fields: fields, nowNs: nowNs, policy: policy)
                }
            })
    }

    /// A `tock.v1.JobSpecBatch`, each job validated by the same rules as JSON.
    static func parse(protobuf bytes: [UInt8], nowNs: Int64, policy: SubmitPolicy) throws(FieldError) -> JobBatch {
        let batch: JobSpecBatch
        do {
            batch = try JobSpecBatch(decoding: bytes)
        } catch {
            throw FieldError(
                field: nil, code: "invalid_protobuf", message: "body is not a tock.v1.JobSpecBatch: \(error)")
        }
        try checkCount(batch.jobs.count)
        return JobBatch(
            items: batch.jobs.map { spec in
                Result { () throws(FieldError) in try JobRequest.validate(spec, nowNs: nowNs, policy: policy) }
            })
    }

    private static func checkCount(_ count: Int) throws(FieldError) {
        guard count > 0, count <= maxJobs else {
            throw FieldError(field: "jobs", message: "a batch holds 1 to \(maxJobs) jobs, not \(count)")
        }
    }

    /// Each job's outcome, or the failure of the whole batch when the gateway could not take it at all (only a
    /// node asked for its own shard answers so; the routing gateway gives each job its own failure).
    func submit(through gateway: any JobGateway, as caller: Caller) async -> Result<Answer, JobFailure> {
        var results = items.map { item -> Item? in
            guard case .failure(let error) = item else { return nil }
            return Item(status: 400, error: ErrorView(error).error)
        }
        let valid = items.enumerated().compactMap { index, item in (try? item.get()).map { (index, $0) } }
        if !valid.isEmpty {
            switch await gateway.submit(batch: valid.map(\.1), as: caller) {
            case .failure(let failure):
                return .failure(failure)
            case .replies(let replies):
                guard replies.count == valid.count else {
                    return .failure(
                        JobFailure(
                            status: 500, code: "internal",
                            message: "\(replies.count) answers for \(valid.count) jobs"))
                }
                for ((index, _), reply) in zip(valid, replies) { results[index] = Item(reply) }
            }
        }
        return .success(Answer(results: results.map { $0! }))
    }
}
