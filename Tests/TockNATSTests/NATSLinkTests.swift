import TockNATS
import XCTest

final class NATSLinkTests: NATSTestCase {
    /// The leader's duties all ask for the link at once when a node starts leading; before the connect was shared,
    /// each caller that arrived during it made a connection of its own, and all but the last stayed open unused.
    func testCallersArrivingDuringAConnectShareOneConnection() async throws {
        let link = NATSLink(url: server.url, name: "link", logger: .init(label: "test"))
        let connections = try await withThrowingTaskGroup(of: ObjectIdentifier.self) { group in
            for _ in 0..<16 {
                group.addTask { ObjectIdentifier(try await link.jetStream().connection) }
            }
            return try await group.reduce(into: Set<ObjectIdentifier>()) { $0.insert($1) }
        }
        XCTAssertEqual(connections.count, 1, "every caller gets the one connection")
        await link.close()
    }

    func testAClosedLinkRefusesCallers() async throws {
        let link = NATSLink(url: server.url, name: "link", logger: .init(label: "test"))
        _ = try await link.jetStream()
        await link.close()
        do {
            _ = try await link.jetStream()
            XCTFail("a closed link connected again")
        } catch is CancellationError {}
    }
}
