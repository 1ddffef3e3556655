import TockModel
import TockRaft
import TockWire

/// Random values of every message TockWire encodes, with fields at their edges. Strings hold no U+0000 (protobuf-c
/// carries C strings), and optional times are nil rather than 0, which the wire cannot tell apart: so every
/// generated value encodes and decodes to itself.
enum WireGenerators {
    static func header(_ random: inout SplitMix64) -> Header {
        Header(name: random.cText(maxLength: 8), value: random.cText(maxLength: 16))
    }

    static func target(_ random: inout SplitMix64) -> HTTPTarget {
        HTTPTarget(
            url: random.cText(maxLength: 30),
            method: random.pick(["POST", "GET", "", random.cText(maxLength: 5)]),
            headers: (0..<random.below(4)).map { _ in header(&random) }, body: random.bytes(random.below(40)))
    }

    /// Nil or a nonzero time: the wire's 0 means "none".
    static func optionalTime(_ random: inout SplitMix64) -> Int64? {
        let time = random.edgyInt64()
        return random.oneIn(3) || time == 0 ? nil : time
    }

    static func schedule(_ random: inout SplitMix64) -> Schedule {
        Schedule(
            cron: random.pick(["*/5 * * * *", "@every 1h", random.cText(maxLength: 20)]),
            timeZone: random.pick(["", "UTC", "Europe/Berlin", random.cText(maxLength: 10)]),
            startAtNs: optionalTime(&random), endAtNs: optionalTime(&random),
            overlap: random.pick(Schedule.Overlap.allCases), misfire: random.pick(Schedule.Misfire.allCases))
    }

    static func jobSpec(_ random: inout SplitMix64) -> JobSpec {
        JobSpec(
            id: random.cText(maxLength: 30), priority: random.pick(Priority.allCases), target: target(&random),
            timeoutMs: random.edgyUInt32(), maxAttempts: random.edgyUInt32(),
            idempotencyKey: random.cText(maxLength: 20), dueAtNs: random.edgyInt64(),
            webhookFormat: random.pick(WebhookFormat.allCases),
            schedule: random.oneIn(3) ? schedule(&random) : nil, tenant: random.cText(maxLength: 8),
            callbackURL: random.cText(maxLength: 30), failureCallbackURL: random.cText(maxLength: 30))
    }

    static func outcomeEventKey(_ random: inout SplitMix64) -> OutcomeEvent.Key {
        OutcomeEvent.Key(
            jobID: random.cText(maxLength: 30), run: random.edgyUInt32(),
            state: random.pick(OutcomeEvent.State.allCases))
    }

    static func jobRun(_ random: inout SplitMix64) -> JobRun {
        JobRun(
            jobID: random.cText(maxLength: 30), run: random.edgyUInt32(), shard: random.edgyUInt32(),
            priority: random.pick(Priority.allCases), target: target(&random), timeoutMs: random.edgyUInt32(),
            maxAttempts: random.edgyUInt32(), idempotencyKey: random.cText(maxLength: 20),
            dueAtNs: random.edgyInt64(), publishedAtNs: random.edgyInt64(), traceID: random.cText(maxLength: 55),
            webhookFormat: random.pick(WebhookFormat.allCases), recurring: random.oneIn(2))
    }

    static func completion(_ random: inout SplitMix64) -> Completion {
        Completion(
            jobID: random.cText(maxLength: 30), run: random.edgyUInt32(), shard: random.edgyUInt32(),
            outcome: random.pick([.succeeded, .failed, .gaveUp]), httpStatus: random.edgyInt32(),
            attempts: random.edgyUInt32(), startedAtNs: random.edgyInt64(), finishedAtNs: random.edgyInt64(),
            executorID: random.cText(maxLength: 12), error: random.cText(maxLength: 40))
    }

    static func publishedRun(_ random: inout SplitMix64) -> PublishedRun {
        PublishedRun(
            jobID: random.cText(maxLength: 30), run: random.edgyUInt32(), streamSequence: random.edgy(),
            publishedAtNs: random.edgyInt64(), nextDueAtNs: optionalTime(&random))
    }

    static func shardCommand(_ random: inout SplitMix64) -> ShardCommand {
        // Retention travels as 0 for "forever", so it is nil or positive.
        let retention: Int64? = random.oneIn(2) ? nil : Int64(random.within(1...Int.max))
        switch random.below(11) {
        case 0: return .createJob(jobSpec(&random), createdAtNs: random.edgyInt64(), idempotencyRetentionNs: retention)
        case 1:
            return .createJobs(
                (0..<random.below(4)).map { _ in jobSpec(&random) }, createdAtNs: random.edgyInt64(),
                idempotencyRetentionNs: retention)
        case 2: return .cancelJob(jobID: random.cText(maxLength: 30), atNs: random.edgyInt64())
        case 3: return .markPublished((0..<random.below(4)).map { _ in publishedRun(&random) })
        case 4: return .markDone((0..<random.below(4)).map { _ in completion(&random) }, atNs: random.edgyInt64())
        case 5:
            return .skipRun(
                jobID: random.cText(maxLength: 30), run: random.edgyUInt32(),
                nextDueAtNs: optionalTime(&random), atNs: random.edgyInt64(),
                reason: random.cText(maxLength: 20))
        case 6: return .pauseJob(jobID: random.cText(maxLength: 30), atNs: random.edgyInt64())
        case 7:
            return .resumeJob(
                jobID: random.cText(maxLength: 30), nextDueAtNs: optionalTime(&random),
                atNs: random.edgyInt64())
        case 8:
            return .purgeFinished(
                cutoffNs: random.edgyInt64(),
                jobIDs: (0..<random.below(4)).map { _ in random.cText(maxLength: 30) },
                runs: (0..<random.below(4)).map { _ in
                    RunKey(jobID: random.cText(maxLength: 30), run: random.edgyUInt32())
                })
        case 9: return .deleteEvents((0..<random.below(4)).map { _ in outcomeEventKey(&random) })
        default:
            return .setNodeAddress(
                node: random.cText(maxLength: 5), raft: random.cText(maxLength: 20),
                http: random.cText(maxLength: 20))
        }
    }

    static func entry(_ random: inout SplitMix64) -> Entry {
        Entry(
            term: random.edgy(), index: random.edgy(), kind: random.pick([.normal, .noop, .configChange]),
            data: random.bytes(random.below(40)))
    }

    static func hardState(_ random: inout SplitMix64) -> HardState {
        let vote = random.cText(maxLength: 6)
        return HardState(term: random.edgy(), vote: vote.isEmpty ? nil : vote, commit: random.edgy())
    }

    static func membership(_ random: inout SplitMix64) -> Membership {
        Membership(
            voters: Set((0..<random.below(5)).map { _ in random.cText(maxLength: 4) }),
            learners: Set((0..<random.below(3)).map { _ in random.cText(maxLength: 4) }))
    }

    static func snapshot(_ random: inout SplitMix64) -> Snapshot {
        Snapshot(index: random.edgy(), term: random.edgy(), membership: membership(&random))
    }

    static func message(_ random: inout SplitMix64) -> Message {
        let kinds: [Message.Kind] = [
            .preVote, .preVoteResponse, .vote, .voteResponse, .append, .appendResponse,
            .heartbeat, .heartbeatResponse, .snapshot, .timeoutNow,
        ]
        return Message(
            kind: random.pick(kinds), from: random.cText(maxLength: 4), to: random.cText(maxLength: 4),
            term: random.edgy(), index: random.edgy(), logTerm: random.edgy(),
            entries: (0..<random.below(4)).map { _ in entry(&random) }, commit: random.edgy(),
            reject: random.oneIn(2), rejectHint: random.edgy(), hintTerm: random.edgy(),
            snapshot: random.oneIn(3) ? snapshot(&random) : nil, transfer: random.oneIn(2),
            context: random.edgy())
    }

    static func frame(_ random: inout SplitMix64) -> RaftFrame {
        switch random.below(5) {
        case 0: return .message(message(&random))
        case 3: return .hello(hello(&random))
        case 4: return .proof(RaftProof(mac: random.bytes(random.pick([0, 16, 32, 33, random.below(80)]))))
        case 1:
            return .chunk(
                RaftChunk(
                    streamID: random.edgy(), sequence: random.edgyUInt32(), last: random.oneIn(2),
                    data: random.bytes(random.below(64))))
        default:
            return .snapshotChunk(
                RaftSnapshotChunk(
                    sequence: random.edgyUInt32(), last: random.oneIn(2),
                    data: random.bytes(random.below(64)), size: random.edgy(),
                    checksum: random.edgy()))
        }
    }

    static func hello(_ random: inout SplitMix64) -> RaftHello {
        RaftHello(
            version: random.pick([1, 0, 2, random.edgyUInt32()]), clusterID: random.cText(maxLength: 8),
            shard: random.edgyUInt32(), node: random.cText(maxLength: 4), to: random.cText(maxLength: 4),
            nonce: random.bytes(random.pick([32, 0, 31, 33, random.below(80)])))
    }

    static func membershipChange(_ random: inout SplitMix64) -> MembershipChange {
        let id = "n" + random.cText(maxLength: 6)  // an empty id does not decode
        return random.pick([.addLearner(id), .promote(id), .remove(id)])
    }
}
