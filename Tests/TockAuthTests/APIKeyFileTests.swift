import TockAuth
import TockCore
import XCTest

final class APIKeyFileTests: XCTestCase {
    func testRenderedFileParsesBack() throws {
        let keys = [
            APIKey(name: "deployer", tenant: "team-a", scopes: [.jobsRead, .jobsWrite], sha256: APIKey.hash("k1")),
            APIKey(name: "ops", tenant: "ops", scopes: [.admin], sha256: APIKey.hash("k2")),
        ]
        XCTAssertEqual(try APIKeyFile.parse(yaml: APIKeyFile.render(keys)), keys)
    }

    func testAnEmptyFileHasNoKeys() throws {
        XCTAssertEqual(try APIKeyFile.parse(yaml: ""), [])
        XCTAssertEqual(try APIKeyFile.parse(yaml: "keys:\n"), [])
    }

    func testEachMistakeNamesItsField() {
        let hash = APIKey.hash("x")
        let cases: [(String, String)] = [
            ("users: []", "users"),
            ("keys: 3", "keys"),
            ("keys:\n  - tenant: t\n    scopes: [admin]\n    sha256: \(hash)", "keys[0].name"),
            ("keys:\n  - name: a b\n    tenant: t\n    scopes: [admin]\n    sha256: \(hash)", "keys[0].name"),
            ("keys:\n  - name: a\n    tenant: t\n    scopes: [root]\n    sha256: \(hash)", "keys[0].scopes"),
            ("keys:\n  - name: a\n    tenant: t\n    scopes: []\n    sha256: \(hash)", "keys[0].scopes"),
            ("keys:\n  - name: a\n    tenant: t\n    scopes: [admin]\n    sha256: tock_plaintext", "keys[0].sha256"),
            ("keys:\n  - name: a\n    tenant: t\n    scopes: [admin]\n    sha256: \(hash)\n    key: x", "keys[0].key"),
            (
                "keys:\n  - {name: a, tenant: t, scopes: [admin], sha256: \(hash)}\n  - {name: a, tenant: u, scopes: [admin], sha256: \(hash)}",
                "keys[1].name"
            ),
        ]
        for (text, field) in cases {
            XCTAssertThrowsError(try APIKeyFile.parse(yaml: text), text) { error in
                XCTAssertEqual((error as? FieldError)?.field, field, text)
            }
        }
    }

    func testGeneratedKeysAreLongRandomAndDistinct() {
        let keys = (0..<100).map { _ in APIKey.generate() }
        XCTAssertEqual(Set(keys).count, 100)
        for key in keys {
            XCTAssertTrue(key.hasPrefix(APIKey.prefix))
            XCTAssertEqual(key.count, APIKey.prefix.count + 43, key)
        }
        XCTAssertEqual(APIKey.hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
