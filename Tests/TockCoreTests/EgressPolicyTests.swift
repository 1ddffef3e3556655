import TockCore
import XCTest

/// The egress guard's pure half: which addresses are refused, and allow-lists written by hand (or by an attacker
/// who can edit a config).
final class EgressPolicyTests: XCTestCase {
    private func kind(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> AddressClass? {
        guard let address = IPAddress(text) else {
            XCTFail("\(text) is not an address", file: file, line: line)
            return nil
        }
        return AddressClass(address)
    }

    func testIPv4Classes() {
        let cases: [(String, AddressClass)] = [
            ("8.8.8.8", .global), ("1.1.1.1", .global), ("172.15.255.255", .global), ("172.32.0.0", .global),
            ("100.63.255.255", .global), ("100.128.0.0", .global), ("192.169.0.1", .global),
            ("223.255.255.255", .global),
            ("127.0.0.1", .loopback), ("127.255.255.254", .loopback),
            ("169.254.169.254", .linkLocal), ("169.254.0.1", .linkLocal),
            ("10.0.0.1", .private), ("172.16.0.1", .private), ("172.31.255.255", .private), ("192.168.1.1", .private),
            ("100.64.0.1", .carrierGradeNAT), ("100.127.255.255", .carrierGradeNAT),
            ("224.0.0.1", .multicast), ("239.255.255.255", .multicast),
            ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified),
            ("255.255.255.255", .broadcast), ("240.0.0.1", .reserved), ("255.255.255.254", .reserved),
        ]
        for (text, expected) in cases { XCTAssertEqual(kind(text), expected, text) }
    }

    func testIPv6ClassesAndEmbeddedIPv4() {
        let cases: [(String, AddressClass)] = [
            ("2001:4860:4860::8888", .global), ("2606:4700::1111", .global),
            ("::1", .loopback), ("::", .unspecified),
            ("fe80::1", .linkLocal), ("febf:ffff::1", .linkLocal), ("fec0::1", .private),
            ("fc00::1", .uniqueLocal), ("fd12:3456::1", .uniqueLocal), ("ff02::1", .multicast),
            // IPv4-mapped, IPv4-compatible and NAT64 forms are what their IPv4 address is.
            ("::ffff:127.0.0.1", .loopback), ("::ffff:7f00:1", .loopback), ("::ffff:169.254.169.254", .linkLocal),
            ("::ffff:10.0.0.1", .private), ("::ffff:0.0.0.0", .unspecified), ("::ffff:8.8.8.8", .global),
            ("::127.0.0.1", .loopback), ("64:ff9b::10.0.0.1", .private), ("64:ff9b::8.8.8.8", .global),
        ]
        for (text, expected) in cases { XCTAssertEqual(kind(text), expected, text) }
    }

    func testOnlyStrictLiteralsAreAddresses() {
        // Lenient spellings are left to the resolver, whose answer is then checked.
        for text in [
            "", "2130706433", "0x7f.0.0.1", "127.1", "127.0.0.1 ", "[::1]", "fe80::1%eth0", "1.2.3.4.5",
            "256.0.0.1", "::ffff:1.2.3", "localhost", "1.2.3.4\0", String(repeating: "1", count: 100),
        ] {
            XCTAssertNil(IPAddress(text), text)
        }
        XCTAssertEqual(IPAddress("::ffff:127.0.0.1")?.description, "::ffff:127.0.0.1")
        XCTAssertEqual(IPAddress("fe80:0:0::1")?.description, "fe80::1")
    }

    func testCIDRBlocks() throws {
        let block = try IPNetwork.parse("10.1.0.0/16")
        XCTAssertTrue(block.contains(IPAddress("10.1.255.3")!))
        XCTAssertFalse(block.contains(IPAddress("10.2.0.1")!))
        XCTAssertFalse(block.contains(IPAddress("::ffff:10.1.0.1")!), "families do not mix in contains")
        XCTAssertTrue(try IPNetwork.parse("0.0.0.0/0").contains(IPAddress("1.2.3.4")!))
        XCTAssertTrue(try IPNetwork.parse("fd00::/8").contains(IPAddress("fd12::1")!))
        XCTAssertTrue(try IPNetwork.parse("172.16.0.0/12").contains(IPAddress("172.31.0.1")!))
        XCTAssertFalse(try IPNetwork.parse("172.16.0.0/12").contains(IPAddress("172.32.0.1")!))
        XCTAssertEqual(try IPNetwork.parse("192.168.1.7").description, "192.168.1.7/32")
        XCTAssertEqual(try IPNetwork.parse("::1").description, "::1/128")
    }

    func testHostileAllowListEntriesAreRefusedWithAClearError() {
        let hostile = [
            "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/", "/8", "10.0.0.0/8/8",
            "10.0.0.0/99999999999999999999999", "10.0.0.0/0x8", "10.1.2.3/16", "10.0.0.0/８",
            "", " ", "a..b", ".", "-", "host name", "hooks.example/", "http://hooks.example",
            "hooks.example:443", "*.example.com", "évil.example", "a\u{0}b", String(repeating: "a", count: 254),
            "[::1]", "1.2.3.4.5/8",
        ]
        for entry in hostile {
            var policy = EgressPolicy()
            XCTAssertThrowsError(try policy.allow(entry), entry) { error in
                XCTAssertFalse(("\(error)").isEmpty)
            }
            XCTAssertTrue(policy.isEmpty, entry)
        }
    }

    func testTheAllowList() throws {
        var policy = EgressPolicy()
        XCTAssertEqual(policy.refusal(of: IPAddress("169.254.169.254")!), .linkLocal)
        XCTAssertNil(policy.refusal(of: IPAddress("93.184.216.34")!))
        try policy.allow("10.1.0.0/16")
        try policy.allow("Hooks.Internal.Example.")
        try policy.allow("127.0.0.1")
        XCTAssertNil(policy.refusal(of: IPAddress("10.1.2.3")!))
        XCTAssertNil(policy.refusal(of: IPAddress("::ffff:10.1.2.3")!), "a mapped address is allowed by its IPv4 block")
        XCTAssertEqual(policy.refusal(of: IPAddress("10.2.0.1")!), .private)
        XCTAssertNil(policy.refusal(of: IPAddress("127.0.0.1")!))
        XCTAssertEqual(policy.refusal(of: IPAddress("127.0.0.2")!), .loopback)
        XCTAssertEqual(policy.refusal(of: IPAddress("::1")!), .loopback)
        XCTAssertTrue(policy.allowsHost("hooks.internal.example"))
        XCTAssertTrue(policy.allowsHost("HOOKS.internal.example."))
        XCTAssertFalse(policy.allowsHost("evil.hooks.internal.example"))
        XCTAssertNil(EgressPolicy.loopback.refusal(of: IPAddress("::1")!))
        XCTAssertNil(EgressPolicy.loopback.refusal(of: IPAddress("127.3.2.1")!))
        XCTAssertEqual(EgressPolicy.loopback.refusal(of: IPAddress("10.0.0.1")!), .private)
        let merged = EgressPolicy.loopback.merging(policy)
        XCTAssertNil(merged.refusal(of: IPAddress("10.1.0.9")!))
        XCTAssertNil(merged.refusal(of: IPAddress("::1")!))
    }

    func testTheQueueConfigsEgressSection() throws {
        let config = try QueueConfig.parse(
            yaml: """
                egress:
                  allow: [10.1.0.0/16, hooks.internal.example, "fd00::/8"]
                """)
        XCTAssertNil(config.egress.refusal(of: IPAddress("fd00::5")!))
        XCTAssertNil(config.egress.refusal(of: IPAddress("10.1.9.9")!))
        XCTAssertTrue(config.egress.allowsHost("hooks.internal.example"))
        XCTAssertEqual(try QueueConfig.parse(yaml: "egress: {allow: []}"), QueueConfig())

        let bad: [(String, String)] = [
            ("egress: {allow: [10.0.0.0/40]}", "egress.allow[0]"),
            ("egress: {allow: [ok.example, 5]}", "egress.allow[1]"),
            ("egress: {allow: 10.0.0.0/8}", "egress.allow"),
            ("egress: {deny: []}", "egress.deny"),
            ("egress: [10.0.0.0/8]", "egress"),
        ]
        for (yaml, field) in bad {
            XCTAssertThrowsError(try QueueConfig.parse(yaml: yaml), yaml) { error in
                XCTAssertEqual((error as? FieldError)?.field, field, "\(error)")
            }
        }
    }
}
