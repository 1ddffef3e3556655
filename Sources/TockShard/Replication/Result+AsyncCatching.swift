extension Result where Failure == any Error {
    /// The outcome of an async throwing call as a value, so a task group can gather successes and failures alike.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
