import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

extension TockBinary {
    struct TerminalResult {
        var status: Int32
        var stdout: String
        /// What the command wrote to its stderr, a pseudo-terminal's secondary side.
        var terminal: String
    }

    /// Runs `tock <arguments>` with stderr on a pseudo-terminal `columns` wide, and stdout on a pipe (as a person
    /// at a terminal who pipes the output into another program would) or, with `stdoutToo`, on the terminal too.
    static func runWithTerminalStderr(_ arguments: [String], stdoutToo: Bool = false, columns: UInt16 = 80) throws
        -> TerminalResult
    {
        // posix_openpt, unlockpt and ptsname are hidden from Swift behind glibc's feature macros; these are their
        // ioctls on Linux (TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30, unsigned int)).
        let primary = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: CInt = 0
        var number: CUnsignedInt = 0
        guard primary >= 0, ioctl(primary, 0x4004_5431, &unlock) == 0, ioctl(primary, 0x8004_5430, &number) == 0
        else {
            XCTFail("no pseudo-terminal: errno \(errno)")
            throw CancellationError()
        }
        let primaryHandle = FileHandle(fileDescriptor: primary, closeOnDealloc: true)
        var size = winsize(ws_row: 24, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        XCTAssertEqual(ioctl(primary, UInt(TIOCSWINSZ), &size), 0, "setting the terminal's width")
        guard let secondary = FileHandle(forUpdatingAtPath: "/dev/pts/\(number)") else {
            XCTFail("cannot open /dev/pts/\(number)")
            throw CancellationError()
        }
        // Read the terminal while the command runs: a full terminal buffer would block its writes.
        let captured = TerminalCapture()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                // EIO once every secondary descriptor is closed: the command has exited and ours is closed.
                let count = read(primary, &buffer, buffer.count)
                guard count > 0 else { break }
                captured.append(buffer[0..<count])
            }
            captured.finish()
        }
        reader.start()

        let process = Process()
        process.executableURL = try url()
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = stdoutToo ? secondary : out
        process.standardError = secondary
        try process.run()
        try out.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try secondary.close()
        let terminal = captured.waitForEnd(within: 10)
        withExtendedLifetime(primaryHandle) {}
        return TerminalResult(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), terminal: terminal)
    }
}

/// The bytes a reader thread takes from a pseudo-terminal, handed to the test when the terminal is closed.
/// `@unchecked Sendable`: `bytes` and `ended` are touched only under `condition`'s lock.
private final class TerminalCapture: @unchecked Sendable {
    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var ended = false

    func append(_ chunk: ArraySlice<UInt8>) {
        condition.withLock { bytes += chunk }
    }

    func finish() {
        condition.withLock {
            ended = true
            condition.broadcast()
        }
    }

    /// The text so far once the reader has ended, or after `seconds` at most.
    func waitForEnd(within seconds: TimeInterval) -> String {
        let deadline = Date(timeIntervalSinceNow: seconds)
        return condition.withLock {
            while !ended, condition.wait(until: deadline) {}
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
