import Foundation
import XCTest

/// `tock --generate-completion-script SHELL`, as ops/README.md tells users to install it.
final class CompletionScriptTests: XCTestCase {
    func testEachShellsScriptNamesTheSubcommandsAndTheirOptions() throws {
        for shell in ["bash", "zsh", "fish"] {
            let result = try TockBinary.run(["--generate-completion-script", shell])
            XCTAssertEqual(result.status, 0, "\(shell): \(result.stderr)")
            for word in ["list", "counts", "retry", "cancel", "submit", "status", "idempotency-key"] {
                XCTAssertTrue(result.stdout.contains(word), "the \(shell) script lacks \(word)")
            }
        }
    }

    /// The bash script, sourced into bash, completes `tock ` with the subcommands.
    func testBashCompletesTheSubcommands() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("tock-\(UUID().uuidString).bash")
        let generated = try TockBinary.run(["--generate-completion-script", "bash"])
        try Data(generated.stdout.utf8).write(to: script)
        defer { try? FileManager.default.removeItem(at: script) }
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = [
            "-c",
            #"source "$1" && complete -p tock && COMP_WORDS=(tock "") COMP_CWORD=1 && _tock && echo "${COMPREPLY[*]}""#,
            "bash", script.path,
        ]
        let out = Pipe()
        bash.standardOutput = out
        try bash.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        bash.waitUntilExit()
        XCTAssertEqual(bash.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("-F _tock tock"), text)
        let words = Set(text.split(whereSeparator: \.isWhitespace).map(String.init))
        XCTAssertTrue(words.isSuperset(of: ["list", "counts", "retry", "cancel", "status"]), text)
    }
}
