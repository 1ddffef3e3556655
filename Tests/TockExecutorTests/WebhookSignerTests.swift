import TockExecutor
import XCTest

final class WebhookSignerTests: XCTestCase {
    // Expected values computed independently:
    // python3 -c "import hmac,hashlib,base64; print(base64.b64encode(hmac.new(KEY, b'j1/3.1700000000.{\"order\": 42}',
    //             hashlib.sha256).digest()))"  (and .hexdigest() of b'1700000000.{...}' for Tock-Signature)
    private let raw = Array("whsec_test_secret".utf8)
    private let second = (1...32).map { UInt8($0) }
    private let body = Array(#"{"order": 42}"#.utf8)

    private func headers(_ signer: WebhookSigner) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: signer.headers(id: "j1/3", timestampSeconds: 1_700_000_000, body: body)
                .map { ($0.name, $0.value) })
    }

    func testStandardWebhooksHeadersSignIdDotTimestampDotBody() throws {
        let signed = headers(try XCTUnwrap(WebhookSigner(keys: [raw])))
        XCTAssertEqual(signed["webhook-id"], "j1/3")
        XCTAssertEqual(signed["webhook-timestamp"], "1700000000")
        XCTAssertEqual(signed["webhook-signature"], "v1,9ryKPTHdLagljZzMgUQAm4vIBu/8+T+4jyDEovqfMiQ=")
        XCTAssertEqual(
            signed["Tock-Signature"],
            "t=1700000000,v1=0d8a9f579625eb0544c5c2e74e89fc057099a229c469fddd33d78c82c918c953")
    }

    func testEveryKeySignsDuringARotationAndTheFirstSignsTockSignature() throws {
        let signed = headers(try XCTUnwrap(WebhookSigner(keys: [raw, second])))
        XCTAssertEqual(
            signed["webhook-signature"],
            "v1,9ryKPTHdLagljZzMgUQAm4vIBu/8+T+4jyDEovqfMiQ= v1,igWmYaL3QwQ9nvTv871d2nLJrlpy6WmH5J4lYL/G+Gc=")
        XCTAssertEqual(
            signed["Tock-Signature"],
            "t=1700000000,v1=0d8a9f579625eb0544c5c2e74e89fc057099a229c469fddd33d78c82c918c953")
    }

    func testASecretsFileHoldsWhsecBase64AndRawLines() throws {
        let file = "# signing first\r\nwhsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\r\n\n  plain  \n"
        let signer = try WebhookSigner.parse(secrets: Array(file.utf8))
        XCTAssertEqual(signer.keyCount, 2)
        let expected = try XCTUnwrap(WebhookSigner(keys: [second, Array("plain".utf8)]))
        XCTAssertEqual(headers(signer)["webhook-signature"], headers(expected)["webhook-signature"])
        XCTAssertTrue(
            headers(signer)["webhook-signature"]?.hasPrefix("v1,igWmYaL3QwQ9nvTv871d2nLJrlpy6WmH5J4lYL/G+Gc= v1,")
                ?? false)
    }

    func testAWhsecLineMustBeBase64AndTheErrorQuotesNoSecret() throws {
        XCTAssertThrowsError(try WebhookSigner.parse(secrets: Array("plain\nwhsec_test_secret!\n".utf8))) { error in
            XCTAssertEqual("\(error)", "line 2: not base64 after whsec_")
        }
    }

    func testTheTimestampIsPartOfWhatIsSigned() throws {
        let signer = try XCTUnwrap(WebhookSigner(keys: [Array("s".utf8)]))
        let first = signer.headers(id: "a/1", timestampSeconds: 1, body: Array("x".utf8))
        let later = signer.headers(id: "a/1", timestampSeconds: 2, body: Array("x".utf8))
        XCTAssertNotEqual(first[2].value, later[2].value)
        XCTAssertNotEqual(first[3].value, later[3].value)
    }

    func testEmptySecretsAreRefusedAndNoSecretIsEverPrinted() throws {
        XCTAssertNil(WebhookSigner(keys: []))
        XCTAssertNil(WebhookSigner(keys: [Array("a".utf8), []]))
        XCTAssertThrowsError(try WebhookSigner.parse(secrets: Array("\n# only a comment\n".utf8)))
        let signer = try XCTUnwrap(WebhookSigner(keys: [Array("hunter2".utf8)]))
        XCTAssertFalse("\(signer)".contains("hunter2"))
        XCTAssertFalse(String(reflecting: signer).contains("hunter2"))
    }
}
