import CNats

/// Stream and consumer management: blocking request/replies to the server (up to 5 s each),
/// meant for startup and tests, not for hot paths.
extension JetStream {
    public enum EnsureResult: Sendable, Equatable { case created, updated }

    /// Creates the stream, or updates it to `config` if it exists (also when another process
    /// created it between our lookup and our create).
    @discardableResult
    public func ensureStream(_ config: StreamConfig) throws -> EnsureResult {
        if try streamExists(config.name) {
            try updateStream(config)
            return .updated
        }
        do {
            try config.withCConfig { cConfig in
                var info: UnsafeMutablePointer<jsStreamInfo>?
                var code = jsErrCode(rawValue: 0)
                let status = js_AddStream(&info, context.pointer, cConfig, nil, &code)
                jsStreamInfo_Destroy(info)
                try natsCheck(status, jsCode: code, "add stream \(config.name)")
            }
            return .created
        } catch let error as NATSError where !error.isConnectionProblem && !error.isTimeout {
            guard try streamExists(config.name) else { throw error }
            try updateStream(config)
            return .updated
        }
    }

    /// Creates the durable consumer, or updates it to `config` if it exists.
    @discardableResult
    public func ensureConsumer(stream: String, _ config: ConsumerConfig) throws -> EnsureResult {
        if try consumerExists(stream: stream, consumer: config.durable) {
            try updateConsumer(stream: stream, config)
            return .updated
        }
        do {
            try config.withCConfig { cConfig in
                var info: UnsafeMutablePointer<jsConsumerInfo>?
                var code = jsErrCode(rawValue: 0)
                let status = js_AddConsumer(&info, context.pointer, stream, cConfig, nil, &code)
                jsConsumerInfo_Destroy(info)
                try natsCheck(status, jsCode: code, "add consumer \(config.durable) on \(stream)")
            }
            return .created
        } catch let error as NATSError where !error.isConnectionProblem && !error.isTimeout {
            guard try consumerExists(stream: stream, consumer: config.durable) else { throw error }
            try updateConsumer(stream: stream, config)
            return .updated
        }
    }

    public func streamInfo(_ name: String) throws -> StreamState {
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetStreamInfo(&info, context.pointer, name, nil, &code)
        defer { jsStreamInfo_Destroy(info) }
        try natsCheck(status, jsCode: code, "stream info \(name)")
        return StreamState(info!.pointee.State)
    }

    public func consumerInfo(stream: String, consumer: String) throws -> ConsumerState {
        var info: UnsafeMutablePointer<jsConsumerInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetConsumerInfo(&info, context.pointer, stream, consumer, nil, &code)
        defer { jsConsumerInfo_Destroy(info) }
        try natsCheck(status, jsCode: code, "consumer info \(consumer) on \(stream)")
        return ConsumerState(info!.pointee)
    }

    public func deleteStream(_ name: String) throws {
        var code = jsErrCode(rawValue: 0)
        try natsCheck(js_DeleteStream(context.pointer, name, nil, &code), jsCode: code, "delete stream \(name)")
    }

    /// Removes every message of the stream (its sequences go on from where they were).
    public func purgeStream(_ name: String) throws {
        var code = jsErrCode(rawValue: 0)
        try natsCheck(js_PurgeStream(context.pointer, name, nil, &code), jsCode: code, "purge stream \(name)")
    }

    private func streamExists(_ name: String) throws -> Bool {
        do {
            _ = try streamInfo(name)
            return true
        } catch let error as NATSError where error.isNotFound {
            return false
        }
    }

    private func consumerExists(stream: String, consumer: String) throws -> Bool {
        do {
            _ = try consumerInfo(stream: stream, consumer: consumer)
            return true
        } catch let error as NATSError where error.isNotFound && error.jetStreamCode != 10059 {
            // A missing stream must surface as an error, not as "create the consumer".
            return false
        }
    }

    private func updateStream(_ config: StreamConfig) throws {
        try config.withCConfig { cConfig in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(rawValue: 0)
            let status = js_UpdateStream(&info, context.pointer, cConfig, nil, &code)
            jsStreamInfo_Destroy(info)
            try natsCheck(status, jsCode: code, "update stream \(config.name)")
        }
    }

    private func updateConsumer(stream: String, _ config: ConsumerConfig) throws {
        try config.withCConfig { cConfig in
            var info: UnsafeMutablePointer<jsConsumerInfo>?
            var code = jsErrCode(rawValue: 0)
            let status = js_UpdateConsumer(&info, context.pointer, stream, cConfig, nil, &code)
            jsConsumerInfo_Destroy(info)
            try natsCheck(status, jsCode: code, "update consumer \(config.durable) on \(stream)")
        }
    }
}

extension JetStream {
    /// A stream's and one of its consumers' state, read off the cooperative pool (each is a blocking request to
    /// the server).
    public func state(stream: String, consumer: String) async throws -> (StreamState, ConsumerState) {
        try await offPool { (try self.streamInfo(stream), try self.consumerInfo(stream: stream, consumer: consumer)) }
    }
}
