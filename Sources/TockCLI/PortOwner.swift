import Foundation
import TockCore

/// Who listens on a local TCP port, from /proc: so a command that cannot bind can say by what, instead of only
/// "address already in use".
enum PortOwner {
    /// Whether something accepts connections on `host:port` now.
    static func isTaken(host: String, port: Int) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let info = found else { return false }
        defer { freeaddrinfo(found) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0
    }

    /// "pid 123 (nats-server -c nats/dev.conf ...)", or what can be said when the owner is not visible.
    static func describe(port: Int) -> String {
        guard let inode = listeningInode(port: port) else { return "another process" }
        guard let pid = process(holdingSocket: inode) else {
            return "a process this user cannot see (socket inode \(inode))"
        }
        let command =
            (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")))
            .map { String(decoding: $0, as: UTF8.self).split(separator: "\0").joined(separator: " ") } ?? ""
        return command.isEmpty ? "pid \(pid)" : "pid \(pid) (\(command.utf8Prefix(200)))"
    }

    /// The inode of a listening socket on `port` (IPv4 or IPv6), from /proc/net/tcp{,6}.
    static func listeningInode(port: Int) -> String? {
        let wanted = String(format: "%04X", port)
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                guard fields.count > 9, fields[3] == "0A", fields[1].hasSuffix(":" + wanted) else { continue }
                return String(fields[9])
            }
        }
        return nil
    }

    private static func process(holdingSocket inode: String) -> Int32? {
        let target = "socket:[\(inode)]"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            for fd in fds
            where (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"))
                == target
            {
                return pid
            }
        }
        return nil
    }
}
