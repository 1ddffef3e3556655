import TockNATS
import XCTest

/// What reaches the logs of a NATS URL: the server, never a password or token.
final class NATSURLRedactionTests: XCTestCase {
    func testCredentialsInTheAuthorityAreRedacted() {
        let cases = [
            ("nats://shard:s3cret@nats.internal:4222", "nats://***@nats.internal:4222"),
            ("tls://a-token@nats.internal:4443", "tls://***@nats.internal:4443"),
            ("shard:s3cret@127.0.0.1:4222", "***@127.0.0.1:4222"),
            (
                "nats://u:p@a:4222,nats://b:4222,nats://u:p%40x@c:4222",
                "nats://***@a:4222,nats://b:4222,nats://***@c:4222"
            ),
            ("nats://user:p@ss@host:4222", "nats://***@host:4222"),
        ]
        for (url, shown) in cases {
            XCTAssertEqual(redactingNATSCredentials(url), shown, url)
            XCTAssertFalse(redactingNATSCredentials(url).contains("s3cret"))
        }
    }

    func testURLsWithoutCredentialsAreKept() {
        for url in ["nats://127.0.0.1:4222", "tls://nats.internal:4443", "127.0.0.1:4222", "nats://h:1/path@x", ""] {
            XCTAssertEqual(redactingNATSCredentials(url), url)
        }
    }

    /// A failed connect names the server in its error, which is logged: without the password.
    func testAConnectErrorDoesNotCarryThePassword() {
        let url = "nats://shard:s3cret@127.0.0.1:1"
        XCTAssertThrowsError(try NATSConnection.connect(url: url, timeout: .milliseconds(200))) {
            XCTAssertFalse("\($0)".contains("s3cret"), "\($0)")
            XCTAssertTrue("\($0)".contains("***@127.0.0.1:1"), "\($0)")
        }
    }

    func testSecurityDescriptionNamesNoSecret() {
        var security = NATSSecurity()
        security.user = "shard"
        security.password = "s3cret"
        XCTAssertFalse(security.description.contains("s3cret"))
        security = NATSSecurity()
        security.token = "t0ken"
        XCTAssertFalse(security.description.contains("t0ken"))
        XCTAssertThrowsError(
            try {
                var both = security
                both.user = "u"
                try both.validate()
            }())
    }
}
