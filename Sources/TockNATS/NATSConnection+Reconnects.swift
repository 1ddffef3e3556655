import CNats

extension NATSConnection {
    /// Times cnats has reconnected this connection since it was made (0 when closed): a change tells a poller
    /// that the server was away, and may have come back with less than it had.
    public var reconnects: UInt64 {
        var stats: OpaquePointer?
        guard natsStatistics_Create(&stats) == NATS_OK else { return 0 }
        defer { natsStatistics_Destroy(stats) }
        let read = try? withConnection { nc -> UInt64 in
            var count: UInt64 = 0
            guard natsConnection_GetStats(nc, stats) == NATS_OK,
                natsStatistics_GetCounts(stats, nil, nil, nil, nil, &count) == NATS_OK
            else { return 0 }
            return count
        }
        return read ?? 0
    }
}
