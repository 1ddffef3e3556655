import TockNATS
import XCTest

/// Request-reply under load: thousands of concurrent requests all answered, handlers bounded by maxConcurrent.
extension RequestReplyTests {
    func testTwoThousandConcurrentRequestsAreAllAnswered() async throws {
        let service = try connection.serve(subject: "tock.bulk", queue: "shards") { request in
            await Task.yield()
            return NATSReply(
                data: request.data, headers: [(name: "n", value: String(decoding: request.data, as: UTF8.self))])
        }
        let connection = try XCTUnwrap(self.connection)
        let start = ContinuousClock.now
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<2_000 {
                group.addTask {
                    let body = String(index)
                    let response = try await connection.request(
                        subject: "tock.bulk", data: Array(body.utf8), timeout: .seconds(30))
                    return String(decoding: response.data, as: UTF8.self) == body && response.header("n") == body
                }
            }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        XCTAssertEqual(answered, 2_000)
        print("2,000 concurrent requests took \(ContinuousClock.now - start)")
        await service.stop()
    }

    func testConcurrencyIsBoundedByMaxConcurrent() async throws {
        let gauge = Gauge()
        let service = try connection.serve(subject: "tock.bounded", queue: "shards", maxConcurrent: 4) { request in
            gauge.enter()
            // Real (short) work, so that handlers overlap if nothing bounds them.
            try? await Task.sleep(for: .milliseconds(5))
            gauge.leave()
            return NATSReply(data: request.data)
        }
        let connection = try XCTUnwrap(self.connection)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask {
                    _ = try await connection.request(
                        subject: "tock.bounded", data: [UInt8(index)], timeout: .seconds(20))
                }
            }
            try await group.waitForAll()
        }
        XCTAssertLessThanOrEqual(gauge.peak, 4)
        XCTAssertGreaterThan(gauge.peak, 1, "handlers never overlapped")
        await service.stop()
    }
}
