import TockCore
import XCTest

extension TockHarness {
    /// Submits `jobs` (each a JSON object) with `POST /v1/jobs:batch`, 1,000 to a call (the most a batch holds),
    /// and returns their ids in order; fails the test unless every job was created.
    func submitBatch(
        _ jobs: [String], base: String? = nil, file: StaticString = #filePath, line: UInt = #line
    ) async throws -> [String] {
        var ids: [String] = []
        for start in stride(from: 0, to: jobs.count, by: 1000) {
            let part = jobs[start..<min(start + 1000, jobs.count)]
            let reply = try await request(
                .POST, "/v1/jobs:batch", body: #"{"jobs": [\#(part.joined(separator: ","))]}"#, base: base)
            guard reply.status == 200, case .array(let results)? = reply["results"] else {
                XCTFail("batch refused: \(reply.status) \(reply.json)", file: file, line: line)
                throw CancellationError()
            }
            for result in results {
                guard result["status"]?.int == 201, let id = result["job"]?["id"]?.string else {
                    XCTFail("a job of the batch was not created: \(result)", file: file, line: line)
                    throw CancellationError()
                }
                ids.append(id)
            }
        }
        return ids
    }
}
