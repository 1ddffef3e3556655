import TockModel
import TockProto

extension ShardCommand {
    /// The `tock.v1.ShardCommand` protobuf encoding, stored as a Raft log entry.
    ///
    /// Strings travel as C strings through protobuf-c: a string containing
    /// U+0000 is cut at its first NUL.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__shard_command__get_packed_size,
            pack: tock__v1__shard_command__pack
        )
    }

    /// Decodes a `tock.v1.ShardCommand`. No oneof case set — including a command
    /// kind added by a newer schema, which protobuf-c keeps as an unknown field —
    /// is `WireError.missingField("ShardCommand.command")`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "ShardCommand",
            unpack: tock__v1__shard_command__unpack,
            free: tock__v1__shard_command__free_unpacked
        ) { (message) throws(WireError) in try ShardCommand(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__ShardCommand>) throws(WireError) {
        let message = proto.pointee
        switch message.command_case {
        case TOCK__V1__SHARD_COMMAND__COMMAND_CREATE_JOB:
            self = try CReading.required(message.create_job, field: "ShardCommand.create_job") {
                (create) throws(WireError) in
                .createJob(
                    try CReading.required(create.pointee.spec, field: "CreateJob.spec") {
                        (spec) throws(WireError) in try JobSpec(proto: spec)
                    },
                    createdAtNs: create.pointee.created_at_ns,
                    idempotencyRetentionNs: Self.retention(create.pointee.idempotency_retention_ns)
                )
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_CREATE_JOBS:
            self = try CReading.required(message.create_jobs, field: "ShardCommand.create_jobs") {
                (create) throws(WireError) in
                .createJobs(
                    try CReading.repeated(create.pointee.n_specs, create.pointee.specs, field: "CreateJobs.specs") {
                        (spec) throws(WireError) in try JobSpec(proto: spec)
                    },
                    createdAtNs: create.pointee.created_at_ns,
                    idempotencyRetentionNs: Self.retention(create.pointee.idempotency_retention_ns)
                )
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_CANCEL_JOB:
            self = try CReading.required(message.cancel_job, field: "ShardCommand.cancel_job") {
                (cancel) throws(WireError) in
                .cancelJob(
                    jobID: try CReading.string(cancel.pointee.job_id, field: "CancelJob.job_id"),
                    atNs: cancel.pointee.at_ns
                )
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_MARK_PUBLISHED:
            self = try CReading.required(message.mark_published, field: "ShardCommand.mark_published") {
                (mark) throws(WireError) in
                .markPublished(
                    try CReading.repeated(mark.pointee.n_runs, mark.pointee.runs, field: "MarkPublished.runs") {
                        (run) throws(WireError) in try PublishedRun(proto: run)
                    }
                )
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_MARK_DONE:
            self = try CReading.required(message.mark_done, field: "ShardCommand.mark_done") {
                (mark) throws(WireError) in
                .markDone(
                    try CReading.repeated(
                        mark.pointee.n_completions, mark.pointee.completions, field: "MarkDone.completions"
                    ) { (completion) throws(WireError) in try Completion(proto: completion) },
                    atNs: mark.pointee.at_ns
                )
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_SKIP_RUN:
            self = try CReading.required(message.skip_run, field: "ShardCommand.skip_run") {
                (skip) throws(WireError) in
                .skipRun(
                    jobID: try CReading.string(skip.pointee.job_id, field: "SkipRun.job_id"), run: skip.pointee.run,
                    nextDueAtNs: skip.pointee.next_due_at_ns == 0 ? nil : skip.pointee.next_due_at_ns,
                    atNs: skip.pointee.at_ns, reason: try CReading.string(skip.pointee.reason, field: "SkipRun.reason"))
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_PAUSE_JOB:
            self = try CReading.required(message.pause_job, field: "ShardCommand.pause_job") {
                (pause) throws(WireError) in
                .pauseJob(
                    jobID: try CReading.string(pause.pointee.job_id, field: "PauseJob.job_id"),
                    atNs: pause.pointee.at_ns)
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_RESUME_JOB:
            self = try CReading.required(message.resume_job, field: "ShardCommand.resume_job") {
                (resume) throws(WireError) in
                .resumeJob(
                    jobID: try CReading.string(resume.pointee.job_id, field: "ResumeJob.job_id"),
                    nextDueAtNs: resume.pointee.next_due_at_ns == 0 ? nil : resume.pointee.next_due_at_ns,
                    atNs: resume.pointee.at_ns)
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_SET_NODE_ADDRESS:
            self = try CReading.required(message.set_node_address, field: "ShardCommand.set_node_address") {
                (set) throws(WireError) in
                .setNodeAddress(
                    node: try CReading.string(set.pointee.node, field: "SetNodeAddress.node"),
                    raft: try CReading.string(set.pointee.raft_address, field: "SetNodeAddress.raft_address"),
                    http: try CReading.string(set.pointee.http_address, field: "SetNodeAddress.http_address"))
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_PURGE_FINISHED:
            self = try CReading.required(message.purge_finished, field: "ShardCommand.purge_finished") {
                (purge) throws(WireError) in try Self.purge(proto: purge)
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_RETRY_JOB:
            self = try CReading.required(message.retry_job, field: "ShardCommand.retry_job", Self.retryJob(proto:))
        case TOCK__V1__SHARD_COMMAND__COMMAND_DELETE_EVENTS:
            self = try CReading.required(message.delete_events, field: "ShardCommand.delete_events") {
                (delete) throws(WireError) in
                .deleteEvents(
                    try CReading.repeated(
                        delete.pointee.n_events, delete.pointee.events,
                        field: "DeleteEvents.events"
                    ) {
                        (key) throws(WireError) in try OutcomeEvent.Key(proto: key)
                    })
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_SET_FLOW:
            self = try CReading.required(message.set_flow, field: "ShardCommand.set_flow") {
                (set) throws(WireError) in
                .setFlow(
                    FlowID(
                        tenant: try CReading.string(set.pointee.tenant, field: "SetFlow.tenant"),
                        key: try CReading.string(set.pointee.key, field: "SetFlow.key")),
                    set.pointee.limits.map { FlowLimits(proto: $0) } ?? .unlimited, atNs: set.pointee.at_ns)
            }
        case TOCK__V1__SHARD_COMMAND__COMMAND_DELETE_FLOW:
            self = try CReading.required(message.delete_flow, field: "ShardCommand.delete_flow") {
                (delete) throws(WireError) in
                .deleteFlow(
                    FlowID(
                        tenant: try CReading.string(delete.pointee.tenant, field: "DeleteFlow.tenant"),
                        key: try CReading.string(delete.pointee.key, field: "DeleteFlow.key")),
                    atNs: delete.pointee.at_ns)
            }
        default:
            throw .missingField("ShardCommand.command")
        }
    }

    /// 0 on the wire is "keys never expire", as in every entry written before retention existed.
    private static func retention(_ ns: Int64) -> Int64? {
        ns > 0 ? ns : nil
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__ShardCommand> {
        arena.message(Tock__V1__ShardCommand.self) { message in
            tock__v1__shard_command__init(message)
            // A oneof sub-message is written even when all its fields are zero
            // (e.g. markPublished([])), because its pointer is non-nil; that keeps
            // the case distinguishable from "no command".
            switch self {
            case .createJob(let spec, let createdAtNs, let retentionNs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_CREATE_JOB
                message.pointee.create_job = arena.message(Tock__V1__CreateJob.self) { create in
                    tock__v1__create_job__init(create)
                    create.pointee.spec = spec.proto(in: arena)
                    create.pointee.created_at_ns = createdAtNs
                    create.pointee.idempotency_retention_ns = retentionNs ?? 0
                }
            case .createJobs(let specs, let createdAtNs, let retentionNs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_CREATE_JOBS
                message.pointee.create_jobs = arena.message(Tock__V1__CreateJobs.self) { create in
                    tock__v1__create_jobs__init(create)
                    create.pointee.n_specs = specs.count
                    create.pointee.specs = arena.pointerArray(specs.map { $0.proto(in: arena) })
                    create.pointee.created_at_ns = createdAtNs
                    create.pointee.idempotency_retention_ns = retentionNs ?? 0
                }
            case .cancelJob(let jobID, let atNs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_CANCEL_JOB
                message.pointee.cancel_job = arena.message(Tock__V1__CancelJob.self) { cancel in
                    tock__v1__cancel_job__init(cancel)
                    cancel.pointee.job_id = arena.string(jobID)
                    cancel.pointee.at_ns = atNs
                }
            case .markPublished(let runs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_MARK_PUBLISHED
                message.pointee.mark_published = arena.message(Tock__V1__MarkPublished.self) { mark in
                    tock__v1__mark_published__init(mark)
                    mark.pointee.n_runs = runs.count
                    mark.pointee.runs = arena.pointerArray(runs.map { $0.proto(in: arena) })
                }
            case .markDone(let completions, let atNs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_MARK_DONE
                message.pointee.mark_done = arena.message(Tock__V1__MarkDone.self) { mark in
                    tock__v1__mark_done__init(mark)
                    mark.pointee.n_completions = completions.count
                    mark.pointee.completions = arena.pointerArray(completions.map { $0.proto(in: arena) })
                    mark.pointee.at_ns = atNs
                }
            case .skipRun(let jobID, let run, let nextDueAtNs, let atNs, let reason):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_SKIP_RUN
                message.pointee.skip_run = arena.message(Tock__V1__SkipRun.self) { skip in
                    tock__v1__skip_run__init(skip)
                    skip.pointee.job_id = arena.string(jobID)
                    skip.pointee.run = run
                    skip.pointee.next_due_at_ns = nextDueAtNs ?? 0
                    skip.pointee.at_ns = atNs
                    skip.pointee.reason = arena.string(reason)
                }
            case .pauseJob(let jobID, let atNs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_PAUSE_JOB
                message.pointee.pause_job = arena.message(Tock__V1__PauseJob.self) { pause in
                    tock__v1__pause_job__init(pause)
                    pause.pointee.job_id = arena.string(jobID)
                    pause.pointee.at_ns = atNs
                }
            case .resumeJob(let jobID, let nextDueAtNs, let atNs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_RESUME_JOB
                message.pointee.resume_job = arena.message(Tock__V1__ResumeJob.self) { resume in
                    tock__v1__resume_job__init(resume)
                    resume.pointee.job_id = arena.string(jobID)
                    resume.pointee.next_due_at_ns = nextDueAtNs ?? 0
                    resume.pointee.at_ns = atNs
                }
            case .retryJob(let runs, let atNs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_RETRY_JOB
                message.pointee.retry_job = Self.retryJobProto(runs, atNs: atNs, in: arena)
            case .setNodeAddress(let node, let raft, let http):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_SET_NODE_ADDRESS
                message.pointee.set_node_address = arena.message(Tock__V1__SetNodeAddress.self) { set in
                    tock__v1__set_node_address__init(set)
                    set.pointee.node = arena.string(node)
                    set.pointee.raft_address = arena.string(raft)
                    set.pointee.http_address = arena.string(http)
                }
            case .purgeFinished(let cutoffNs, let jobIDs, let runs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_PURGE_FINISHED
                message.pointee.purge_finished = Self.purgeProto(
                    cutoffNs: cutoffNs, jobIDs: jobIDs, runs: runs,
                    in: arena)
            case .deleteEvents(let keys):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_DELETE_EVENTS
                message.pointee.delete_events = arena.message(Tock__V1__DeleteEvents.self) { delete in
                    tock__v1__delete_events__init(delete)
                    delete.pointee.n_events = keys.count
                    delete.pointee.events = arena.pointerArray(keys.map { $0.proto(in: arena) })
                }
            case .setFlow(let flow, let limits, let atNs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_SET_FLOW
                message.pointee.set_flow = arena.message(Tock__V1__SetFlow.self) { set in
                    tock__v1__set_flow__init(set)
                    set.pointee.tenant = arena.string(flow.tenant)
                    set.pointee.key = arena.string(flow.key)
                    set.pointee.limits = limits.proto(in: arena)
                    set.pointee.at_ns = atNs
                }
            case .deleteFlow(let flow, let atNs):
                message.pointee.command_case = TOCK__V1__SHARD_COMMAND__COMMAND_DELETE_FLOW
                message.pointee.delete_flow = arena.message(Tock__V1__DeleteFlow.self) { delete in
                    tock__v1__delete_flow__init(delete)
                    delete.pointee.tenant = arena.string(flow.tenant)
                    delete.pointee.key = arena.string(flow.key)
                    delete.pointee.at_ns = atNs
                }
            }
        }
    }
}
