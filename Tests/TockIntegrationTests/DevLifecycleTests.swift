import Foundation
import TockTestSupport
import XCTest

/// `tock dev` leaves nothing behind however it dies, and says what holds a port it needs.
final class DevLifecycleTests: XCTestCase {
    var work: URL!
    var dev: Process?

    override func setUp() async throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("tock-devtest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        if let dev, dev.isRunning {
            kill(dev.processIdentifier, SIGKILL)
            dev.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: work)
    }

    func arguments(nats: Int) throws -> [String] {
        // No monitoring port: the shipped dev.conf's 8222 may be in use on the machine running the tests.
        let conf = work.appendingPathComponent("nats.conf")
        try "jetstream {\n  max_memory_store: 64MB\n  max_file_store: 256MB\n}\n".write(
            to: conf, atomically: true,
            encoding: .utf8)
        return [
            "dev", "--nats-config", conf.path, "--nats-listen", "127.0.0.1:\(nats)",
            "--config", TockBinary.repositoryRoot.appendingPathComponent("nats/tock.yaml").path,
            "--http", "127.0.0.1:\(freeLoopbackPort())", "--sink", "off", "--executor-metrics", "off",
        ]
    }

    /// Before, a `tock dev` killed with SIGKILL left its nats-server running in a session of its own, holding the
    /// port and a temporary store, and the next `tock dev` could not start.
    func testATockDevKilledTakesItsNATSServerAndScratchWithIt() async throws {
        let nats = freeLoopbackPort()
        let log = work.appendingPathComponent("dev.log")
        let dev = try TockBinary.launch(try arguments(nats: nats), log: log)
        self.dev = dev
        _ = try await eventually(within: .seconds(30), "tock dev to come up") {
            (try? String(contentsOf: log, encoding: .utf8))?.contains("tock dev is up") == true ? true : nil
        }
        XCTAssertTrue(Self.accepts(port: nats), "its nats-server listens")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tock-dev-\(dev.processIdentifier)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.path))

        kill(dev.processIdentifier, SIGKILL)
        dev.waitUntilExit()
        _ = try await eventually("the nats-server to stop with tock dev") { Self.accepts(port: nats) ? nil : true }
        _ = try await eventually("the scratch directory (the server's store) to be removed") {
            FileManager.default.fileExists(atPath: scratch.path) ? nil : true
        }
    }

    func testATockDevStoppedWithSIGTERMStopsEverythingAndCleansUp() async throws {
        let nats = freeLoopbackPort()
        let log = work.appendingPathComponent("dev.log")
        let dev = try TockBinary.launch(try arguments(nats: nats), log: log)
        self.dev = dev
        _ = try await eventually(within: .seconds(30), "tock dev to come up") {
            (try? String(contentsOf: log, encoding: .utf8))?.contains("tock dev is up") == true ? true : nil
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tock-dev-\(dev.processIdentifier)")
        kill(dev.processIdentifier, SIGTERM)
        _ = try await eventually(within: .seconds(10), "tock dev to exit after SIGTERM") { dev.isRunning ? nil : true }
        XCTAssertEqual(dev.terminationStatus, 0, "a clean stop")
        XCTAssertFalse(Self.accepts(port: nats), "its nats-server stopped with it")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path), "its temporary data removed")
    }

    func testATakenPortIsNamedWithWhatHoldsIt() throws {
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(holder, 1), 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))

        let result = try TockBinary.run(try arguments(nats: port))
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(
            result.stderr.contains("127.0.0.1:\(port) (--nats-listen) is taken by pid \(getpid())"),
            result.stderr)
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
