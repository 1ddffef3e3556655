import Foundation
import TockCore
import Yams

/// The `--auth-file`: YAML with a list of keys, each stored as a hash.
///
///     keys:
///       - name: deployer
///         tenant: team-a
///         scopes: [jobs:read, jobs:write]
///         sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
public enum APIKeyFile {
    /// Parses a file's text. An error names the entry and key at fault; names must be unique.
    public static func parse(yaml text: String) throws(FieldError) -> [APIKey] {
        let value: JSONValue
        do {
            value = try JSONValue(yaml: try Yams.load(yaml: text) ?? [String: Any]())
        } catch let error as FieldError {
            throw error
        } catch {
            throw FieldError(field: nil, code: "invalid_yaml", message: "not valid YAML: \(error)")
        }
        guard case .object(let root) = value else {
            throw FieldError(field: nil, message: "must be a mapping with `keys`")
        }
        guard Set(root.keys).isSubset(of: ["keys"]) else {
            throw FieldError(
                field: root.keys.sorted().first { $0 != "keys" }, message: "unknown key; the file has only `keys`")
        }
        guard let list = root["keys"], case .array(let entries) = list else {
            if root["keys"] == nil || root["keys"] == .null { return [] }
            throw FieldError(field: "keys", message: "must be a list of keys")
        }
        var keys: [APIKey] = []
        for (index, entry) in entries.enumerated() {
            let key = try parse(entry, path: "keys[\(index)]")
            guard !keys.contains(where: { $0.name == key.name }) else {
                throw FieldError(field: "keys[\(index)].name", message: "the name \(key.name) is used twice")
            }
            keys.append(key)
        }
        return keys
    }

    private static func parse(_ entry: JSONValue, path: String) throws(FieldError) -> APIKey {
        guard case .object(let fields) = entry else { throw FieldError(field: path, message: "must be a mapping") }
        let known: Set<String> = ["name", "tenant", "scopes", "sha256"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw FieldError(
                field: "\(path).\(unknown)", message: "unknown key; an entry has name, tenant, scopes, sha256")
        }
        func text(_ key: String) throws(FieldError) -> String {
            guard case .string(let value) = fields[key] else {
                throw FieldError(field: "\(path).\(key)", message: "is required and must be a string")
            }
            return value
        }
        let name = try text("name")
        let tenant = try text("tenant")
        let sha256 = try text("sha256").lowercased()
        guard APIKey.isValidName(name) else {
            throw FieldError(field: "\(path).name", message: "must be 1 to 64 of A-Z a-z 0-9 . _ -")
        }
        guard APIKey.isValidName(tenant) else {
            throw FieldError(field: "\(path).tenant", message: "must be 1 to 64 of A-Z a-z 0-9 . _ -")
        }
        let isHexDigit = { (byte: UInt8) in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy(isHexDigit) else {
            throw FieldError(field: "\(path).sha256", message: "must be 64 hex digits (`tock auth add-key` writes it)")
        }
        guard case .array(let scopeValues) = fields["scopes"], !scopeValues.isEmpty else {
            throw FieldError(
                field: "\(path).scopes", message: "must be a non-empty list of jobs:read, jobs:write, admin")
        }
        var scopes: Set<Scope> = []
        for value in scopeValues {
            guard case .string(let text) = value, let scope = Scope(rawValue: text) else {
                throw FieldError(field: "\(path).scopes", message: "each scope is one of jobs:read, jobs:write, admin")
            }
            scopes.insert(scope)
        }
        return APIKey(name: name, tenant: tenant, scopes: scopes, sha256: sha256)
    }

    /// The file's text for `keys`, in their order.
    public static func render(_ keys: [APIKey]) -> String {
        var text =
            "# Tock API keys (ops/SECURITY.md, \"API keys and tenants\"). Written by `tock auth add-key`; only "
            + "hashes.\nkeys:\n"
        for key in keys {
            text += "  - name: \(key.name)\n"
            text += "    tenant: \(key.tenant)\n"
            text += "    scopes: [\(key.scopes.sorted().map(\.rawValue).joined(separator: ", "))]\n"
            text += "    sha256: \(key.sha256)\n"
        }
        return text
    }
}
