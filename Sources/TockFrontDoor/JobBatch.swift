import Foundation
import TockCore
import TockShard
import TockWire

/// `POST /v1/jobs:batch` and `tock.submit.batch`: `{"jobs": [ … ]}` with up to 1,000 jobs, each validated and
/// submitted on its own, so one bad job does not reject the others. The answer lists, in order, each job's
/// status with the job or its error.
struct JobBatch: Sendable {
    static let maxJobs = 1000
    /// Submits in flight at once; the shards' group commit batches them into few log writes.
    static let concurrency = 64

    struct Item: Encodable, Sendable {
        var status: Int
        var job: JobView?
        var error: ErrorView.Detail?
    }

    struct Answer: Encodable, Sendable {
        var results: [Item]
    }

    let items: [Result<JobSpec, FieldError>]

    static func parse(json: some Collection<UInt8>, nowNs: Int64, policy: SubmitPolicy) throws(FieldError) -> JobBatch {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(json))
        } catch {
            throw FieldError(field: nil, code: "invalid_json", message: "request body is not valid JSON")
        }
        guard case .object(let root) = value else {
            throw FieldError(field: nil, code: "invalid_json", message: "request body must be {\"jobs\": [...]}")
        }
        if let unknown = root.keys.sorted().first(where: { $0 != "jobs" }) {
            throw FieldError(field: unknown, code: "unknown_field", message: "unknown field '\(unknown)'")
        }
        guard case .array(let jobs) = root["jobs"] else {
            throw FieldError(field: "jobs", code: "missing_field", message: "jobs must be a list of jobs")
        }
        guard !jobs.isEmpty, jobs.count <= maxJobs else {
            throw FieldError(field: "jobs", message: "a batch holds 1 to \(maxJobs) jobs, not \(jobs.count)")
        }
        return JobBatch(items: jobs.enumerated().map { index, job in
            guard case .object(let fields) = job else {
                return .failure(FieldError(field: "jobs[\(index)]", message: "each job must be a JSON object"))
            }
            return Result { () throws(FieldError) in try JobRequest.parse(fields: fields, nowNs: nowNs, policy: policy) }
        })
    }

    func submit(through gateway: any JobGateway) async -> Answer {
        var results = [Item?](repeating: nil, count: items.count)
        await withTaskGroup(of: (Int, Item).self) { group in
            var next = 0
            func startNext() {
                while next < items.count {
                    let index = next
                    next += 1
                    switch items[index] {
                    case .failure(let error):
                        results[index] = Item(status: 400, error: ErrorView(error).error)
                        continue
                    case .success(let spec):
                        group.addTask { (index, Self.item(await gateway.submit(spec))) }
                        return
                    }
                }
            }
            for _ in 0..<Self.concurrency { startNext() }
            for await (index, item) in group {
                results[index] = item
                startNext()
            }
        }
        return Answer(results: results.map { $0! })
    }

    private static func item(_ reply: JobReply) -> Item {
        switch reply {
        case .job(let status, let job): Item(status: status, job: job)
        case .failure(let failure): Item(status: failure.status, error: failure.error.error)
        }
    }
}
