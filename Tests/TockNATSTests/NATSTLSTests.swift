import Foundation
import TockNATS
import TockTestSupport
import XCTest

/// NATS over TLS with a throwaway CA, a client certificate and a token: what connects and what is refused.
final class NATSTLSTests: XCTestCase {
    private var certificates: TestCertificates!
    private var server: NATSServerProcess!

    override func setUpWithError() throws {
        certificates = try TestCertificates()
        // The server's certificate doubles as the client's (it is also valid for clientAuth).
        let config = certificates.directory.appendingPathComponent("nats-tls.conf")
        try Data(
            """
            authorization { token: $TOCK_TEST_TOKEN }
            tls {
              cert_file: "\(certificates.certificateFile)"
              key_file: "\(certificates.keyFile)"
              ca_file: "\(certificates.caFile)"
              verify: true
              timeout: 2
            }

            """.utf8
        ).write(to: config)
        server = try NATSServerProcess.start(
            jetStream: false, configFile: config.path,
            environment: ["TOCK_TEST_TOKEN": "t0ken-for-tests"])
    }

    override func tearDown() {
        server = nil
        certificates = nil
    }

    private func security(ca: String?, clientCertificate: Bool = true, token: String? = "t0ken-for-tests")
        -> NATSSecurity
    {
        var security = NATSSecurity()
        security.caFile = ca
        if clientCertificate {
            security.certificateFile = certificates.certificateFile
            security.keyFile = certificates.keyFile
        }
        security.token = token
        return security
    }

    func testATrustedClientWithCertificateAndTokenConnects() async throws {
        let connection = try NATSConnection.connect(
            url: "nats://127.0.0.1:\(server.port)",
            security: security(ca: certificates.caFile))
        defer { connection.close() }
        try await connection.flush()
        XCTAssertTrue(connection.isConnected)
    }

    func testEachMissingPieceIsRefused() {
        let url = "nats://127.0.0.1:\(server.port)"
        let cases: [(String, NATSSecurity)] = [
            ("plain connection", NATSSecurity()),
            ("server's CA not trusted", security(ca: certificates.otherCAFile)),
            ("no client certificate", security(ca: certificates.caFile, clientCertificate: false)),
            ("wrong token", security(ca: certificates.caFile, token: "wrong")),
        ]
        for (name, security) in cases {
            XCTAssertThrowsError(try NATSConnection.connect(url: url, timeout: .seconds(1), security: security), name) {
                XCTAssertFalse("\($0)".contains("t0ken-for-tests"), "\(name): the error shows the token: \($0)")
            }
        }
    }

    func testHalfAClientCertificateIsAConfigurationError() {
        var security = NATSSecurity()
        security.certificateFile = certificates.certificateFile
        XCTAssertThrowsError(try NATSConnection.connect(url: "nats://127.0.0.1:\(server.port)", security: security)) {
            XCTAssertTrue("\($0)".contains("both the certificate and its key"), "\($0)")
        }
    }
}
