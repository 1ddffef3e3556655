import Foundation

/// Finds the nats-server executable for `tock dev`: on PATH, else where Debian's package puts it (/usr/sbin, which
/// is not on an ordinary user's PATH), else /usr/local/sbin.
enum NATSServerLocator {
    static let fallbackDirectories = ["/usr/sbin", "/usr/local/sbin"]

    static func find(
        path: String = ProcessInfo.processInfo.environment["PATH"] ?? "",
        fallbackDirectories: [String] = fallbackDirectories,
        isExecutable: (String) -> Bool = { FileManager.default.isExecutableFile(atPath: $0) }
    ) throws -> String {
        let directories = path.split(separator: ":").map(String.init) + fallbackDirectories
        if let found = directories.map({ "\($0)/nats-server" }).first(where: isExecutable) { return found }
        throw CLIError(
            "nats-server not found on PATH or in \(fallbackDirectories.joined(separator: " or ")); install it "
                + "(apt-get install nats-server) or pass --nats-url")
    }
}
