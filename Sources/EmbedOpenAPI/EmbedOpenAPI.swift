import Foundation
import PackagePlugin

/// Builds `Schemas/openapi.json` into TockFrontDoor as `OpenAPIDocument.json` at every build, so the document a
/// node serves (`GET /openapi.json`) is the one in the repository, with nothing generated to commit or forget.
@main
struct EmbedOpenAPI: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let document = context.package.directoryURL.appending(path: "Schemas/openapi.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument.swift")
        return [
            .buildCommand(
                displayName: "Embedding Schemas/openapi.json", executable: try context.tool(named: "EmbedText").url,
                arguments: [document.path, output.path, "OpenAPIDocument", "json"],
                inputFiles: [document], outputFiles: [output])
        ]
    }
}
