import Hummingbird
import NIOCore
import TockShard

/// `GET /openapi.json`: the OpenAPI document of the HTTP API (`Schemas/openapi.json`, built in as
/// `OpenAPIDocument`), on every shard node and router.
enum OpenAPIRoute {
    private static let body = ByteBuffer(string: OpenAPIDocument.json)

    static func register(on router: Router<TockRequestContext>) {
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
    }
}
