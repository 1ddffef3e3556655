import Foundation
import ServiceLifecycle

/// systemd's service notification protocol (`sd_notify`): datagrams to the socket named by `NOTIFY_SOCKET`, so a
/// unit of `Type=notify` knows when the process serves (`READY=1`), when it is stopping (`STOPPING=1`), and that it
/// is not stuck (`WATCHDOG=1`, with `WatchdogSec=`). Does nothing without `NOTIFY_SOCKET`, as when not run by systemd.
enum SystemdNotify {
    static func send(_ state: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(path.utf8)
        // "@name" is a socket in the abstract namespace, whose name starts with a NUL byte.
        if name.first == UInt8(ascii: "@") { name[0] = 0 }
        guard name.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + name.count)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let message = Array(state.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, address, length) }
            }
        }
    }

    /// The watchdog interval systemd asks for (`WATCHDOG_USEC`, for this process if `WATCHDOG_PID` says so).
    static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let micros = Int64(text), micros > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], pid != "\(getpid())" { return nil }
        return .microseconds(micros)
    }
}

/// Runs beside a command's services: pings systemd's watchdog at half its interval while the process runs, and says
/// `STOPPING=1` once a graceful shutdown starts. `readyAtStart` sends `READY=1` at once, for a command with no
/// listener to wait for (the others send it when their HTTP server is up).
struct SystemdNotifyService: Service {
    var readyAtStart = false

    func run() async throws {
        if readyAtStart { SystemdNotify.send("READY=1") }
        await withDiscardingTaskGroup { group in
            if let interval = SystemdNotify.watchdogInterval() {
                group.addTask {
                    while !Task.isCancelled {
                        SystemdNotify.send("WATCHDOG=1")
                        try? await Task.sleep(for: interval / 2)
                    }
                }
            }
            try? await gracefulShutdown()
            SystemdNotify.send("STOPPING=1")
            group.cancelAll()
        }
    }
}
