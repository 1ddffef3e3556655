import Foundation
import Hummingbird
import Logging
import NIOCore
import TockExecutor
import TockFrontDoor
import TockMetrics
import TockShard

/// An executor's `/metrics` (Prometheus text format), `/healthz` and `/readyz`, on their own small HTTP server.
enum MetricsEndpoint {
    static func application(host: String, port: Int, executor: Executor, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: MetricsRegistry.contentType],
                body: .init(byteBuffer: ByteBuffer(string: executor.prometheusExposition())))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ in
            let readiness = await executor.readiness()
            return ShardHTTPAPI.json(.init(code: readiness.httpStatus), readiness)
        }
        router.get("/v1/status") { _, _ in
            let body = try JSONEncoder().encode(ExecutorStatusView(executor))
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "tock-executor"),
            onServerRunning: { _ in logger.info("executor metrics listening", metadata: ["address": "\(host):\(port)"])
            },
            logger: logger)
    }
}
