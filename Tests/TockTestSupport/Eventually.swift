import XCTest

/// Waits, bounded, for a condition that another process or task makes true. Polls because the condition lives
/// across a process boundary (HTTP, JetStream); fails the test with `message` when the time is up.
public func eventually<T>(
    within limit: Duration = .seconds(10), _ message: @autoclosure () -> String,
    file: StaticString = #filePath, line: UInt = #line,
    _ probe: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + limit
    while true {
        if let value = try await probe() { return value }
        if ContinuousClock.now >= deadline {
            XCTFail("timed out after \(limit): \(message())", file: file, line: line)
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
