import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TockAuth
import TockCore
import TockModel
import TockShard

/// The dashboard at `/ui/`, served by every node and router: server-rendered HTML over the job gateway, as the
/// caller (its API key's scopes and tenant; `UISession`). Pages: the overview, jobs with filters, a job with its
/// runs and actions, the dead letters, the flows. Actions are HTML forms that POST and redirect back with a notice.
public enum UIRoutes {
    /// What the overview shows beyond the jobs, when the serving process has it: a shard node's queues and Raft
    /// group; a router has neither.
    public struct NodeView: Sendable {
        let queueDepths: @Sendable () async -> [Priority: QueueDepth]
        /// This node's shard and its view of the shard's Raft group.
        let cluster: @Sendable () -> (shard: UInt32, status: ClusterStatus)?
        let executors: @Sendable () -> [ExecutorRoster.Entry]?

        public static let router = NodeView(queueDepths: { [:] }, cluster: { nil }, executors: { nil })

        public static func shard(_ node: ShardNode) -> NodeView {
            NodeView(
                queueDepths: { await node.queueDepths() }, cluster: { (node.configuration.shard, node.cluster) },
                executors: { node.executors.current() })
        }
    }

    static let pageSize = 50

    public static func register(on router: Router<TockRequestContext>, frontDoor: FrontDoor, node: NodeView) {
        let gateway = frontDoor.gateway
        router.get("/ui/assets/style.css") { _, _ in asset(UIAssets.styleSheet, type: "text/css; charset=utf-8") }
        router.get("/ui/assets/app.js") { _, _ in asset(UIAssets.script, type: "text/javascript; charset=utf-8") }

        router.get("/ui/") { request, context in
            async let queues = node.queueDepths()
            let counts = await gateway.counts(as: context.caller)
            var data = UIOverviewPage.Data(queues: await queues, shards: [], executors: node.executors())
            switch counts {
            case .counts(let value): data.counts = value
            case .failure(let failure): data.countsError = failure.error.error.message
            }
            // The Raft groups are an administrator's view, as `/v1/cluster` is.
            if context.caller.allows(.admin) {
                data.shards = await UIShardsView.rows(
                    frontDoor: frontDoor, local: node.cluster(), caller: context.caller)
            }
            return page(UIOverviewPage.render(data, caller: context.caller, message: message(request)))
        }

        router.get("/ui/jobs") { request, context in
            try await jobs(request, context, gateway: gateway, deadLetters: false)
        }
        router.get("/ui/dead-letters") { request, context in
            try await jobs(request, context, gateway: gateway, deadLetters: true)
        }

        router.get("/ui/flows") { request, context in
            let flows = await frontDoor.flows.list(as: context.caller, served: false)
            return page(UIFlowsPage.render(flows, caller: context.caller, message: message(request)))
        }

        router.get("/ui/jobs/:id") { request, context in
            let id = try context.parameters.decoded("id")
            switch await gateway.job(id: id, as: context.caller) {
            case .failure(let failure):
                return redirect("/ui/jobs", error: "Job \(id): \(failure.error.error.message)")
            case .job(_, let job):
                var runs: JobRunsView?
                if case .runs(let view) = await gateway.runs(id: id, RunsPage(limit: 50), as: context.caller) {
                    runs = view
                }
                return page(UIJobPage.render(job, runs: runs, caller: context.caller, message: message(request)))
            }
        }

        router.post("/ui/jobs/:id/:action") { _, context in
            let id = try context.parameters.decoded("id")
            let reply: JobReply
            switch try context.parameters.decoded("action") {
            case "cancel": reply = await gateway.cancel(id: id, as: context.caller)
            case "retry": reply = await gateway.retry(id: id, as: context.caller)
            case "pause": reply = await gateway.pause(id: id, as: context.caller)
            case "resume": reply = await gateway.resume(id: id, as: context.caller)
            default: return redirect("/ui/jobs/\(id)", error: "No such action")
            }
            switch reply {
            case .job(_, let job): return redirect("/ui/jobs/\(id)", notice: "Done: the job is \(job.state).")
            case .failure(let failure): return redirect("/ui/jobs/\(id)", error: failure.error.error.message)
            }
        }

        router.post("/ui/dead-letters/retry") { request, context in
            let form = try await UISession.form(request)
            var query = JobListQuery(state: .failed, limit: BulkAction.defaultLimit)
            query.priority = form["priority"].flatMap { Priority(rawValue: $0) }
            query.tenant = form["tenant"].flatMap { $0.isEmpty ? nil : $0 }
            var retried = 0
            // Page by page, as `tock retry --all` does; bounded, so one form post cannot hold the node for long.
            for _ in 0..<20 {
                switch await gateway.bulk(.retry, query, as: context.caller) {
                case .failure(let failure):
                    return redirect(
                        "/ui/dead-letters", error: "After \(retried) retried: \(failure.error.error.message)")
                case .done(let answer):
                    retried += answer.affected
                    guard answer.more, let next = answer.next_cursor else {
                        return redirect("/ui/dead-letters", notice: "Retried \(retried) jobs.")
                    }
                    query.cursor = next
                }
            }
            return redirect("/ui/dead-letters", notice: "Retried \(retried) jobs; more remain: press again.")
        }

        UISession.register(on: router, guardian: frontDoor.guardian)
    }

    private static func jobs(
        _ request: Request, _ context: TockRequestContext, gateway: any JobGateway, deadLetters: Bool
    ) async throws -> Response {
        let parameters = request.uri.queryParameters
        func value(_ name: String) -> String? {
            parameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
        }
        let search = value("q")
        if let search, JobID.shard(of: search) != nil { return redirect("/ui/jobs/\(HTMLPage.queryValue(search))") }
        let filter = UIJobsPage.Filter(
            state: deadLetters ? .failed : value("state").flatMap(JobState.init(rawValue:)),
            priority: value("priority").flatMap(Priority.init(rawValue:)), tenant: value("tenant"), key: search,
            cursor: value("cursor"))
        switch await gateway.list(filter.query(limit: pageSize), as: context.caller) {
        case .failure(let failure):
            let empty = JobPage(jobs: [], next_cursor: nil)
            var message = message(request)
            message.error = failure.error.error.message
            return page(
                UIJobsPage.render(
                    empty, filter: filter, deadLetters: deadLetters, caller: context.caller, message: message))
        case .page(let page):
            return self.page(
                UIJobsPage.render(
                    page, filter: filter, deadLetters: deadLetters, caller: context.caller, message: message(request)))
        }
    }

    static func message(_ request: Request) -> UILayout.Message {
        let parameters = request.uri.queryParameters
        return UILayout.Message(
            notice: parameters.get("notice").map { String($0.prefix(300)) },
            error: parameters.get("error").map { String($0.prefix(300)) })
    }

    /// An HTML page, never cached, never framed, and with no script or style from elsewhere.
    static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        headers[.contentSecurityPolicy] = "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300", .xContentTypeOptions: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 to `path`, with a notice or an error for the page to show.
    static func redirect(_ path: String, notice: String? = nil, error: String? = nil) -> Response {
        var location = path
        if let notice { location += (path.contains("?") ? "&" : "?") + "notice=\(HTMLPage.queryValue(notice))" }
        if let error { location += (location.contains("?") ? "&" : "?") + "error=\(HTMLPage.queryValue(error))" }
        return Response(status: .seeOther, headers: [.location: location])
    }
}
