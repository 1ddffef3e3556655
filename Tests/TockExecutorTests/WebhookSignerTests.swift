import TockExecutor
import XCTest

final class WebhookSignerTests: XCTestCase {
    // Expected values computed independently:
    // python3 -c "import hmac,hashlib; print(hmac.new(b'whsec_test_secret', b'1700000000.{\"order\": 42}', hashlib.sha256).hexdigest())"
    func testSignsTimestampDotBodyWithHMACSHA256() throws {
        let signer = try XCTUnwrap(WebhookSigner(secret: Array("whsec_test_secret".utf8)))
        XCTAssertEqual(
            signer.signature(timestampSeconds: 1_700_000_000, body: Array(#"{"order": 42}"#.utf8)),
            "t=1700000000,v1=0d8a9f579625eb0544c5c2e74e89fc057099a229c469fddd33d78c82c918c953")
        XCTAssertEqual(
            signer.signature(timestampSeconds: 1_700_000_000, body: []),
            "t=1700000000,v1=316b9ab98c15bfa039d243f3196acee619cf29749a91a634e6a8154e2f7b6727")
    }

    func testTheTimestampIsPartOfWhatIsSigned() throws {
        let signer = try XCTUnwrap(WebhookSigner(secret: Array("s".utf8)))
        let first = signer.signature(timestampSeconds: 1, body: Array("x".utf8))
        let later = signer.signature(timestampSeconds: 2, body: Array("x".utf8))
        XCTAssertNotEqual(first.split(separator: ",")[1], later.split(separator: ",")[1])
    }

    func testAnEmptySecretIsRefusedAndTheSecretIsNeverPrinted() throws {
        XCTAssertNil(WebhookSigner(secret: []))
        let signer = try XCTUnwrap(WebhookSigner(secret: Array("hunter2".utf8)))
        XCTAssertFalse("\(signer)".contains("hunter2"))
        XCTAssertFalse(String(reflecting: signer).contains("hunter2"))
    }
}
