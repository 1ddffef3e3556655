import TockCore
import XCTest

/// Addresses as flags and the shard map write them, with the scheme that says a node serves HTTPS.
final class HostPortTests: XCTestCase {
    func testTheSchemeSaysWhetherTheAPIIsReachedOverTLS() throws {
        let cases: [(String, HostPort)] = [
            ("10.0.0.1:7070", HostPort(host: "10.0.0.1", port: 7070)),
            ("http://10.0.0.1:7070", HostPort(host: "10.0.0.1", port: 7070)),
            ("https://n1.internal:7443", HostPort(host: "n1.internal", port: 7443, secure: true)),
            ("https://[::1]:7443/", HostPort(host: "[::1]", port: 7443, secure: true)),
        ]
        for (text, expected) in cases {
            let parsed = try XCTUnwrap(HostPort(parsing: text), text)
            XCTAssertEqual(parsed, expected, text)
            XCTAssertEqual(HostPort(parsing: parsed.description), parsed, "\(text) does not survive its description")
        }
        XCTAssertEqual(HostPort(host: "h", port: 1, secure: true).httpURL, "https://h:1")
        XCTAssertEqual(HostPort(host: "h", port: 1).httpURL, "http://h:1")
        XCTAssertEqual(HostPort(host: "h", port: 1).description, "h:1", "plain addresses keep their old spelling")
    }

    func testWhatIsNotAnAddress() {
        for text in ["", ":7070", "h", "h:", "h:70000", "https://", "ftp://h:21", "https://h:1/path", "h:-1"] {
            XCTAssertNil(HostPort(parsing: text), text)
        }
    }
}
