import Foundation
import TockCore
import TockModel
import TockWire
import XCTest

@testable import TockFrontDoor
@testable import TockShard

/// The per-job answers are written directly (`JSONWritable`), not through `Codable`; each must stay the same
/// document `JSONEncoder` gives, so adding a field to a view without writing it fails here.
final class AnswerJSONTests: XCTestCase {
    private func job(full: Bool) -> Job {
        Job(
            id: "0-01ABC", shard: 3, state: full ? .failed : .scheduled, priority: .high,
            target: HTTPTarget(
                url: "http://h/p?q=\"1\"", method: "PUT",
                headers: full ? [Header(name: "X-Tab", value: "a\tb\u{1}\\/é😀"), Header(name: "a", value: "")] : [],
                body: Array("{\"k\": \"line\nbreak\"}".utf8)),
            timeoutMs: 1500, maxAttempts: 5, idempotencyKey: full ? "key-1" : "", run: 7,
            dueAtNs: 1_735_120_800_999_000_000, createdAtNs: 1_735_120_700_000_000_000,
            updatedAtNs: 1_735_120_900_000_000_000,
            publishedAtNs: full ? 1_735_120_801_000_000_000 : nil, streamSequence: full ? 42 : nil,
            finishedAtNs: full ? 1_735_120_802_000_000_000 : nil, cancelledAtNs: full ? 1_735_120_803_000_000_000 : nil,
            attempts: 2, lastStatus: full ? 503 : nil, lastError: full ? "HTTP 503: \"busy\"" : nil,
            executorID: full ? "exec-1" : nil, webhookFormat: full ? .scheduledDB : .tock,
            schedule: full
                ? Schedule(
                    cron: "*/5 * * * *", timeZone: "Europe/Paris", startAtNs: 1_735_120_000_000_000_000,
                    endAtNs: 1_835_120_000_000_000_000, overlap: .skip, misfire: .runOnce) : nil,
            paused: full)
    }

    private func assertSameDocument(
        _ value: some Encodable & JSONWritable, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        var json = JSONText()
        value.write(to: &json)
        let written = try XCTUnwrap(
            JSONValue(parsing: json.bytes), "written JSON does not parse", file: file, line: line)
        let encoded = try XCTUnwrap(JSONValue(parsing: Array(try JSONEncoder().encode(value))), file: file, line: line)
        XCTAssertEqual(written, encoded, file: file, line: line)
    }

    func testJobViewsWriteWhatTheEncoderWrites() throws {
        try assertSameDocument(JobView(job(full: true)))
        try assertSameDocument(JobView(job(full: false)))
    }

    func testErrorsWriteWhatTheEncoderWrites() throws {
        try assertSameDocument(ErrorView(code: "invalid", field: "jobs[3].url", message: "url must be \"http(s)\""))
        try assertSameDocument(ErrorView(code: "unavailable", message: "no leader"))
    }

    func testBatchAnswersWriteWhatTheEncoderWrites() throws {
        try assertSameDocument(
            JobBatch.Answer(results: [
                .init(status: 201, job: JobView(job(full: true))),
                .init(status: 400, error: ErrorView(code: "invalid", field: "url", message: "bad").error),
                .init(status: 200, job: JobView(job(full: false))),
            ]))
        try assertSameDocument(JobBatch.Answer(results: []))
    }

    /// Not a contract of the API, but clients diffing answers across versions see no change.
    func testAPlainViewIsByteForByteTheSortedEncoders() throws {
        var json = JSONText()
        JobView(job(full: false)).write(to: &json)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        XCTAssertEqual(
            String(decoding: json.bytes, as: UTF8.self),
            String(decoding: try encoder.encode(JobView(job(full: false))), as: UTF8.self))
    }
}
