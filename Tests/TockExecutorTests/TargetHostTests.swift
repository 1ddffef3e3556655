import XCTest

@testable import TockExecutor

final class TargetHostTests: XCTestCase {
    func testKeyIsHostAndPortWithTheSchemesDefault() {
        XCTAssertEqual(TargetHost.key(of: "http://Example.COM/hook"), "example.com:80")
        XCTAssertEqual(TargetHost.key(of: "https://example.com/hook?x=1"), "example.com:443")
        XCTAssertEqual(TargetHost.key(of: "http://example.com:80/other"), "example.com:80")
        XCTAssertEqual(TargetHost.key(of: "http://127.0.0.1:7090/a"), "127.0.0.1:7090")
        XCTAssertNotEqual(TargetHost.key(of: "http://127.0.0.1:7090/a"), TargetHost.key(of: "http://127.0.0.1:7091/a"))
    }
}
