import Foundation

// Writes a Swift file declaring `enum <Name> { static let <property> = <the input file as a raw string> }`, so a
// text file travels inside the binary without a resource bundle to install beside it. Run at build time by the
// EmbedOpenAPI plugin:
//
//     EmbedText <input> <output.swift> <TypeName> <property>
//
// The input must be UTF-8 and end with a line break (the literal's last line break is not part of the string).

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("EmbedText: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count == 5 else { fail("usage: EmbedText <input> <output.swift> <TypeName> <property>") }
let (input, output, typeName, property) = (arguments[1], arguments[2], arguments[3], arguments[4])
guard let data = FileManager.default.contents(atPath: input), let text = String(data: data, encoding: .utf8) else {
    fail("cannot read \(input) as UTF-8")
}
guard text.hasSuffix("\n") else { fail("\(input) must end with a line break") }
guard !text.contains("\r") else { fail("\(input) has carriage returns; use LF line breaks") }

// The fewest '#' that make a raw string the text can neither end early nor escape from.
var hashes = "#"
while text.contains("\"\"\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }

let source = """
    // Generated at build time by the EmbedOpenAPI plugin from \(URL(fileURLWithPath: input).lastPathComponent).

    /// `\(URL(fileURLWithPath: input).lastPathComponent)` byte for byte, built into the binary.
    enum \(typeName) {
        static let \(property) = \(hashes)\"\"\"
    \(text)
    \"\"\"\(hashes)
    }

    """
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
} catch {
    fail("cannot write \(output): \(error)")
}
