import TockModel
import TockProto

// Only ever travels inside a ShardCommand, so no public encode/decode of its own.
extension PublishedRun {
    init(proto: UnsafePointer<Tock__V1__PublishedRun>) throws(WireError) {
        let message = proto.pointee
        self.init(
            jobID: try CReading.string(message.job_id, field: "PublishedRun.job_id"),
            run: message.run,
            streamSequence: message.stream_sequence,
            publishedAtNs: message.published_at_ns,
            nextDueAtNs: message.next_due_at_ns == 0 ? nil : message.next_due_at_ns,
            replacesSequence: message.replaces_sequence == 0 ? nil : message.replaces_sequence
        )
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__PublishedRun> {
        arena.message(Tock__V1__PublishedRun.self) { message in
            tock__v1__published_run__init(message)
            message.pointee.job_id = arena.string(jobID)
            message.pointee.run = run
            message.pointee.stream_sequence = streamSequence
            message.pointee.published_at_ns = publishedAtNs
            message.pointee.next_due_at_ns = nextDueAtNs ?? 0
            message.pointee.replaces_sequence = replacesSequence ?? 0
        }
    }
}
