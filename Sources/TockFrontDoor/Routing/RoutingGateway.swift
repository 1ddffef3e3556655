import Foundation
import TockAuth
import TockCore
import TockModel
import TockShard
import TockWire

/// The job API on any node or router: each call goes to the shard that owns the job (the idempotency key's hash
/// for a submit, the id's prefix otherwise) and there to its leader — served here when this node is that leader,
/// forwarded otherwise.
final class RoutingGateway: JobGateway {
    let map: ShardMap
    let local: LocalShardJobs?
    let leaders: ShardLeaders

    init(map: ShardMap, local: LocalShardJobs?, leaders: ShardLeaders) {
        self.map = map
        self.local = local
        self.leaders = leaders
    }

    func submit(_ spec: JobSpec, as caller: Caller) async -> JobReply {
        var random = SystemRandomNumberGenerator()
        let shard = owner(ofNew: spec, using: &random)
        if let reply = await servedHere(shard, { await $0.submit(spec, as: caller) }) { return reply }
        let call = ForwardedCall(
            method: .POST, target: "/v1/jobs", body: spec.encoded(),
            contentType: ForwardedCall.protobuf, retrySafe: !spec.idempotencyKey.isEmpty)
        return await forward(call, to: shard, as: caller)
    }

    /// Splits the batch by owning shard and sends each shard's part, all at once, as one call that becomes one
    /// log entry there. Never `.failure`: a part that fails as a whole is each of its jobs' failure, and the
    /// other parts stand.
    func submit(batch specs: [JobSpec], as caller: Caller) async -> JobBatchReply {
        var random = SystemRandomNumberGenerator()
        var parts: [UInt32: [Int]] = [:]
        for (index, spec) in specs.enumerated() {
            parts[owner(ofNew: spec, using: &random), default: []].append(index)
        }
        var replies = [JobReply?](repeating: nil, count: specs.count)
        await withTaskGroup(of: ([Int], [JobReply]).self) { group in
            for (shard, indices) in parts {
                group.addTask {
                    (indices, await self.submit(part: indices.map { specs[$0] }, toShard: shard, as: caller))
                }
            }
            for await (indices, partReplies) in group {
                for (index, reply) in zip(indices, partReplies) { replies[index] = reply }
            }
        }
        return .replies(replies.map { $0! })
    }

    /// One shard's part of a batch, one reply per job.
    private func submit(part specs: [JobSpec], toShard shard: UInt32, as caller: Caller) async -> [JobReply] {
        let reply: JobBatchReply
        if let served = await servedHere(shard, { await $0.submit(batch: specs, as: caller) }) {
            reply = served
        } else {
            // Sent again after a failure only when every job has a key: a part is one entry, so it took effect
            // whole or not at all, and the keys make a second try return the same jobs.
            var call = ForwardedCall(
                method: .POST, target: "/v1/jobs:batch", body: JobSpecBatch(jobs: specs).encoded(),
                contentType: ForwardedCall.protobuf,
                retrySafe: specs.allSatisfy { !$0.idempotencyKey.isEmpty })
            call.authorization = caller.credential
            reply =
                switch await leaders.send(call, toShard: shard) {
                case .success(let answer): answer.batchReply
                case .failure(let failure): .failure(failure)
                }
        }
        switch reply {
        case .replies(let replies) where replies.count == specs.count:
            return replies
        case .failure(let failure):
            return Array(repeating: .failure(failure), count: specs.count)
        default:
            let mismatch = JobFailure(
                status: 502, code: "bad_gateway",
                message: "shard \(shard) did not answer once for each of the \(specs.count) jobs sent")
            return Array(repeating: .failure(mismatch), count: specs.count)
        }
    }

    func job(id: String, as caller: Caller) async -> JobReply {
        guard let shard = owner(of: id) else { return .failure(LocalShardJobs.notFound(id)) }
        if let reply = await servedHere(shard, { await $0.job(id: id, as: caller) }) { return reply }
        return await forward(
            ForwardedCall(method: .GET, target: "/v1/jobs/\(id)", retrySafe: true), to: shard, as: caller)
    }

    func cancel(id: String, as caller: Caller) async -> JobReply {
        guard let shard = owner(of: id) else { return .failure(LocalShardJobs.notFound(id)) }
        if let reply = await servedHere(shard, { await $0.cancel(id: id, as: caller) }) { return reply }
        return await forward(
            ForwardedCall(method: .DELETE, target: "/v1/jobs/\(id)", retrySafe: true), to: shard, as: caller)
    }

    func pause(id: String, as caller: Caller) async -> JobReply {
        guard let shard = owner(of: id) else { return .failure(LocalShardJobs.notFound(id)) }
        if let reply = await servedHere(shard, { await $0.pause(id: id, as: caller) }) { return reply }
        return await forward(
            ForwardedCall(method: .POST, target: "/v1/jobs/\(id)/pause", retrySafe: true), to: shard, as: caller)
    }

    func resume(id: String, as caller: Caller) async -> JobReply {
        guard let shard = owner(of: id) else { return .failure(LocalShardJobs.notFound(id)) }
        if let reply = await servedHere(shard, { await $0.resume(id: id, as: caller) }) { return reply }
        return await forward(
            ForwardedCall(method: .POST, target: "/v1/jobs/\(id)/resume", retrySafe: true), to: shard, as: caller)
    }

    func runs(id: String, _ page: RunsPage, as caller: Caller) async -> JobRunsReply {
        guard let shard = owner(of: id) else { return .failure(LocalShardJobs.notFound(id)) }
        if let reply = await servedHere(shard, { await $0.runs(id: id, page, as: caller) }) { return reply }
        var call = ForwardedCall(method: .GET, target: "/v1/jobs/\(id)/runs?\(page.queryString)", retrySafe: true)
        call.authorization = caller.credential
        switch await leaders.send(call, toShard: shard) {
        case .failure(let failure): return .failure(failure)
        case .success(let answer):
            switch answer.decode(JobRunsView.self) {
            case .success(let runs): return .runs(runs)
            case .failure(let failure): return .failure(failure)
            }
        }
    }

    func counts(as caller: Caller) async -> JobCountsReply {
        let answers = await withTaskGroup(of: JobCountsReply.self) { group in
            for shard in 0..<UInt32(map.shardCount) {
                group.addTask { await self.shardCounts(shard, as: caller) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var merged = JobCounts(total: [:], shards: [:])
        for answer in answers {
            switch answer {
            case .failure(let failure): return .failure(failure)
            case .counts(let counts):
                merged.total.merge(counts.total, uniquingKeysWith: +)
                merged.shards.merge(counts.shards) { first, _ in first }
            }
        }
        return .counts(merged)
    }

    private func shardCounts(_ shard: UInt32, as caller: Caller) async -> JobCountsReply {
        if let reply = await servedHere(shard, { await $0.counts(as: caller) }) { return reply }
        var call = ForwardedCall(method: .GET, target: "/v1/jobs:counts", retrySafe: true)
        call.authorization = caller.credential
        switch await leaders.send(call, toShard: shard) {
        case .failure(let failure): return .failure(failure)
        case .success(let answer):
            switch answer.decode(JobCounts.self) {
            case .success(let counts): return .counts(counts)
            case .failure(let failure): return .failure(failure)
            }
        }
    }

    /// Asks every shard for a page after the cursor and merges them by creation time (`JobPage.merging`).
    func list(_ query: JobListQuery, as caller: Caller) async -> JobListReply {
        if let cursor = query.cursor, ListCursor(cursor) == nil { return .failure(LocalShardJobs.badCursor) }
        let answers = await withTaskGroup(of: JobListReply.self) { group in
            for shard in 0..<UInt32(map.shardCount) {
                group.addTask { await self.listShard(shard, query, as: caller) }
            }
            var answers: [JobListReply] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
        var pages: [JobPage] = []
        for answer in answers {
            switch answer {
            case .failure(let failure): return .failure(failure)
            case .page(let page): pages.append(page)
            }
        }
        return .page(JobPage.merging(pages, limit: query.limit))
    }

    private func listShard(_ shard: UInt32, _ query: JobListQuery, as caller: Caller) async -> JobListReply {
        if let reply = await servedHere(shard, { await $0.list(query, as: caller) }) { return reply }
        var parameters = [(name: "limit", value: "\(query.limit)")] + query.filterParameters
        if let cursor = query.cursor { parameters.append(("cursor", cursor)) }
        if let key = query.idempotencyKey { parameters.append(("idempotency_key", key)) }
        var call = ForwardedCall(method: .GET, target: "/v1/jobs?" + Self.queryString(parameters), retrySafe: true)
        call.authorization = caller.credential
        switch await leaders.send(call, toShard: shard) {
        case .failure(let failure): return .failure(failure)
        case .success(let answer):
            switch answer.decode(JobPage.self) {
            case .success(let page): return .page(page)
            case .failure(let failure): return .failure(failure)
            }
        }
    }

    static func queryString(_ parameters: [(name: String, value: String)]) -> String {
        parameters.compactMap { name, value in
            value.addingPercentEncoding(withAllowedCharacters: .alphanumerics).map { "\(name)=\($0)" }
        }.joined(separator: "&")
    }

    func retry(id: String, as caller: Caller) async -> JobReply {
        guard let shard = owner(of: id) else { return .failure(LocalShardJobs.notFound(id)) }
        if let reply = await servedHere(shard, { await $0.retry(id: id, as: caller) }) { return reply }
        // Not sent twice: a second try after the first retried the job would find it scheduled and answer 409.
        return await forward(
            ForwardedCall(method: .POST, target: "/v1/jobs/\(id)/retry", retrySafe: false),
            to: shard, as: caller)
    }

    /// Sends the action to every shard still to be done (each with its own position) at once, and sums what they
    /// did. A shard that fails fails the call: the cursor cannot say where it stood, so the caller calls again
    /// with the same cursor, and the shards that did act find their jobs no longer match.
    func bulk(_ action: BulkAction, _ query: JobListQuery, as caller: Caller) async -> BulkReply {
        var starts: [UInt32: String?] = [:]
        if let text = query.cursor {
            guard let cursor = BulkCursor(text) else { return .failure(LocalShardJobs.badCursor) }
            for (shard, id) in cursor.positions {
                guard map.contains(shard: shard) else { return .failure(LocalShardJobs.badCursor) }
                starts[shard] = id
            }
        } else {
            for shard in 0..<UInt32(map.shardCount) { starts[shard] = .some(nil) }
        }
        let answers = await withTaskGroup(of: (UInt32, BulkReply).self) { group in
            for (shard, start) in starts {
                group.addTask { (shard, await self.bulkShard(shard, action, query, from: start, as: caller)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var affected = 0
        var next = BulkCursor(positions: [:])
        for (shard, answer) in answers {
            switch answer {
            case .failure(let failure): return .failure(failure)
            case .done(let done):
                affected += done.affected
                if let position = done.next_cursor { next.positions[shard] = position }
            }
        }
        return .done(BulkAnswer(affected: affected, next_cursor: next.text))
    }

    private func bulkShard(
        _ shard: UInt32, _ action: BulkAction, _ query: JobListQuery, from start: String?,
        as caller: Caller
    ) async -> BulkReply {
        var query = query
        query.cursor = start
        if let reply = await servedHere(shard, { [query] in await $0.bulk(action, query, as: caller) }) { return reply }
        var call = ForwardedCall(
            method: .POST, target: action.path, body: action.body(query, cursor: start),
            contentType: "application/json", retrySafe: false)
        call.authorization = caller.credential
        switch await leaders.send(call, toShard: shard) {
        case .failure(let failure): return .failure(failure)
        case .success(let answer):
            switch answer.decode(BulkAnswer.self) {
            case .success(let done): return .done(done)
            case .failure(let failure): return .failure(failure)
            }
        }
    }

    /// The shard a new job goes to: its flow key's, so one leader paces the whole flow; else its idempotency key's,
    /// so a repeated key meets the job it names; a random one for a job with neither. (A job with both is
    /// deduplicated on its flow's shard, where a repeat of it — same flow — goes too.)
    private func owner(ofNew spec: JobSpec, using random: inout some RandomNumberGenerator) -> UInt32 {
        if let flow = spec.flow { return map.shard(forFlowKey: flow.key) }
        return spec.idempotencyKey.isEmpty
            ? map.shardForNewJob(using: &random) : map.shard(forIdempotencyKey: spec.idempotencyKey)
    }

    /// The id's shard, or nil when the id is not a Tock job id of this deployment (so no shard can hold it).
    private func owner(of id: String) -> UInt32? { map.shard(ofJobID: id) }

    /// Serves the call from this node's own shard when that shard owns it and this node leads. A leader deposed
    /// meanwhile answers `not_leader`, and the call is forwarded after all.
    private func servedHere<Reply: GatewayReply>(_ shard: UInt32, _ call: (LocalShardJobs) async -> Reply) async
        -> Reply?
    {
        guard let local, local.shard == shard else { return nil }
        // During an election nobody leads; waiting for the outcome beats sending the call on a round of guesses.
        if local.node.cluster.leader == nil { _ = await local.node.waitForLeader(timeout: .seconds(3)) }
        guard local.node.isLeader else { return nil }
        let reply = await call(local)
        return reply.failure?.error.error.code == "not_leader" ? nil : reply
    }

    private func forward(_ call: ForwardedCall, to shard: UInt32, as caller: Caller) async -> JobReply {
        var call = call
        call.authorization = caller.credential
        return switch await leaders.send(call, toShard: shard) {
        case .success(let answer): answer.jobReply
        case .failure(let failure): .failure(failure)
        }
    }
}
