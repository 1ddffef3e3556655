import ArgumentParser
import Foundation
import TockAuth
import TockCore

/// `tock auth`: manages the API keys file of `--auth-file`. Keys are printed once and stored only as hashes.
struct AuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "Manage API keys (the file of --auth-file).",
        subcommands: [AddKey.self, RemoveKey.self, ListKeys.self])

    struct FileOption: ParsableArguments {
        @Option(help: "The API keys file.") var file: String
    }

    struct AddKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-key",
            abstract: "Create a key, print it once, and store its hash in the file (created if missing). "
                + "Send SIGHUP to running nodes to load it.")

        @OptionGroup var file: FileOption
        @Option(help: "The key's name, unique in the file (A-Z a-z 0-9 . _ -).") var name: String
        @Option(help: "The tenant whose jobs the key submits and sees.") var tenant: String
        @Option(
            name: .customLong("scope"), help: "jobs:read, jobs:write or admin (repeatable; admin sees every tenant).")
        var scopes: [String] = []

        func run() throws {
            guard APIKey.isValidName(name) else { throw ValidationError("--name must be 1 to 64 of A-Z a-z 0-9 . _ -") }
            guard APIKey.isValidName(tenant) else {
                throw ValidationError("--tenant must be 1 to 64 of A-Z a-z 0-9 . _ -")
            }
            guard !scopes.isEmpty else {
                throw ValidationError("give at least one --scope: jobs:read, jobs:write, admin")
            }
            var parsed: Set<Scope> = []
            for text in scopes {
                guard let scope = Scope(rawValue: text) else {
                    throw ValidationError("--scope \(text) is not one of jobs:read, jobs:write, admin")
                }
                parsed.insert(scope)
            }
            var keys = try AuthCommand.read(file.file, missingIsEmpty: true)
            guard !keys.contains(where: { $0.name == name }) else {
                throw ValidationError("the file already has a key named \(name); remove it first to replace it")
            }
            let key = APIKey.generate()
            keys.append(APIKey(name: name, tenant: tenant, scopes: parsed, sha256: APIKey.hash(key)))
            try AuthCommand.write(keys, to: file.file)
            print(key)
        }
    }

    struct RemoveKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-key", abstract: "Revoke a key by name. Send SIGHUP to running nodes to drop it.")

        @OptionGroup var file: FileOption
        @Option(help: "The key's name.") var name: String

        func run() throws {
            let keys = try AuthCommand.read(file.file, missingIsEmpty: false)
            guard keys.contains(where: { $0.name == name }) else { throw ValidationError("no key named \(name)") }
            try AuthCommand.write(keys.filter { $0.name != name }, to: file.file)
        }
    }

    struct ListKeys: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list-keys", abstract: "List keys: name, tenant, scopes.")

        @OptionGroup var file: FileOption

        func run() throws {
            for key in try AuthCommand.read(file.file, missingIsEmpty: false) {
                print("\(key.name)\t\(key.tenant)\t\(key.scopes.sorted().map(\.rawValue).joined(separator: ","))")
            }
        }
    }

    static func read(_ path: String, missingIsEmpty: Bool) throws -> [APIKey] {
        guard FileManager.default.fileExists(atPath: path) else {
            if missingIsEmpty { return [] }
            throw ValidationError("no file \(path)")
        }
        do {
            return try APIKeyFile.parse(yaml: try String(contentsOfFile: path, encoding: .utf8))
        } catch let error as FieldError {
            throw ValidationError("\(path): \(error.field.map { "\($0): " } ?? "")\(error.message)")
        }
    }

    /// Written whole to a temporary file beside it, then renamed over it, so a node reloading on SIGHUP never reads
    /// half a file; readable by its owner alone.
    static func write(_ keys: [APIKey], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(APIKeyFile.render(keys).utf8),
                attributes: [.posixPermissions: 0o600])
        else { throw ValidationError("cannot write \(temporary)") }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ValidationError("cannot replace \(path): \(reason)")
        }
    }
}
