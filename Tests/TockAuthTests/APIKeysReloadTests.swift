import Foundation
import TockAuth
import XCTest

final class APIKeysReloadTests: XCTestCase {
    func testReloadPicksUpANewKeyAndKeepsTheOldKeysWhenTheFileIsBroken() throws {
        let path = NSTemporaryDirectory() + "tock-keys-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = APIKey(name: "one", tenant: "t", scopes: [.jobsRead], sha256: APIKey.hash("tock_one"))
        try APIKeyFile.render([first]).write(toFile: path, atomically: true, encoding: .utf8)
        let keys = try APIKeys(path: path)
        XCTAssertNil(keys.authenticate(authorization: "Bearer tock_two").caller)

        let second = APIKey(name: "two", tenant: "t", scopes: [.jobsRead], sha256: APIKey.hash("tock_two"))
        try APIKeyFile.render([first, second]).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try keys.reload(), 2)
        XCTAssertEqual(keys.authenticate(authorization: "Bearer tock_two").caller?.name, "two")

        try "keys: [".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try keys.reload())
        XCTAssertEqual(keys.authenticate(authorization: "Bearer tock_two").caller?.name, "two")
    }
}

extension Result where Success == Caller {
    var caller: Caller? { try? get() }
}
