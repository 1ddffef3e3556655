import Logging
import Synchronization
import TockRaft
import TockRaftTransport
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Collects what a transport delivers, for assertions from the test's task.
final class Inbox: Sendable {
    private let messages = Mutex<[Message]>([])

    func receive(_ message: Message) {
        messages.withLock { $0.append(message) }
    }

    var all: [Message] { messages.withLock { $0 } }
    var count: Int { messages.withLock { $0.count } }

    /// `index` of every message from `sender`, in arrival order.
    func indices(from sender: NodeID) -> [UInt64] {
        messages.withLock { $0.filter { $0.from == sender }.map(\.index) }
    }
}

/// Counts the refusals a transport reports.
final class Refusals: Sendable {
    private let reasons = Mutex<[RaftPeerRefusal.Reason]>([])

    func add(_ reason: RaftPeerRefusal.Reason) {
        reasons.withLock { $0.append(reason) }
    }

    var all: [RaftPeerRefusal.Reason] { reasons.withLock { $0 } }
    func count(_ reason: RaftPeerRefusal.Reason) -> Int { all.filter { $0 == reason }.count }
}

func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: "raft-transport-test.\(label)")
    logger.logLevel = .warning
    return logger
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
func eventually(
    timeout: Duration = .seconds(20), _ what: String, file: StaticString = #filePath, line: UInt = #line,
    _ condition: () -> Bool
) async {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return }
        try? await Task.sleep(for: .milliseconds(10))
    }
    if !condition() { XCTFail("timed out after \(timeout): \(what)", file: file, line: line) }
}

/// A transport with an inbox, started on a free loopback port.
struct Node {
    let id: NodeID
    let transport: RaftPeerTransport
    let inbox: Inbox
    let port: Int

    let refusals: Refusals

    static func start(
        _ id: NodeID, port: Int = 0, peers: [NodeID: (host: String, port: Int)] = [:], queueLimit: Int = 4096,
        snapshots: MemorySnapshotStore? = nil, identity: RaftPeerIdentity = RaftPeerIdentity(),
        limits: RaftConnectionLimits = RaftConnectionLimits(), tls: RaftTLS? = nil
    ) async throws -> Node {
        let inbox = Inbox()
        let refusals = Refusals()
        let transport = RaftPeerTransport(
            id: id, listenHost: "127.0.0.1", listenPort: port, peers: peers, queueLimit: queueLimit,
            logger: testLogger(id), onMessage: { inbox.receive($0) }, snapshots: snapshots, identity: identity,
            limits: limits, onRefusal: { refusals.add($0) }, tls: tls
        )
        let bound = try await transport.start()
        return Node(id: id, transport: transport, inbox: inbox, port: bound, refusals: refusals)
    }

    var address: (host: String, port: Int) { ("127.0.0.1", port) }
}

/// A plain blocking TCP client for feeding a listener bytes no transport would send.
final class RawTCPClient {
    private let fd: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw POSIXError(errno)
        }
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            // No SIGPIPE when the listener has already closed the connection.
            #if canImport(Glibc)
                let flags = Int32(MSG_NOSIGNAL)
            #else
                let flags: Int32 = 0
            #endif
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            if written <= 0 { return }  // the listener already closed: fine for these tests
            offset += written
        }
    }

    /// Exactly `count` bytes, or nil if the connection closed or they did not come within `seconds`.
    func read(count: Int, within seconds: Int) -> [UInt8]? {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if got <= 0 { return nil }
            offset += got
        }
        return bytes
    }

    /// True if the other side closed the connection (EOF or reset) within `seconds`.
    func closedByPeer(within seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<seconds {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return true  // ECONNRESET and friends
            }
        }
        return false
    }
}

struct POSIXError: Error {
    let code: Int32
    init(_ code: Int32) { self.code = code }
}
