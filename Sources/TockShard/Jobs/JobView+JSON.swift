import TockCore

extension JobView: JSONWritable {
    /// Keys sorted, as `ShardHTTPAPI.json`'s encoder sorts them; `JobViewJSONTests` holds it to the `Codable` form.
    public func write(to json: inout JSONText) {
        json.object { json in
            json.field("attempts", attempts)
            json.field("body", body)
            json.field("callback_url", callback_url)
            json.field("cancelled_at", cancelled_at)
            json.field("created_at", created_at)
            json.field("destination", destination)
            json.field("executor_id", executor_id)
            json.field("failure_callback_url", failure_callback_url)
            json.field("finished_at", finished_at)
            if let flow {
                json.key("flow")
                json.object { json in json.field("key", flow.key) }
            }
            json.key("headers")
            json.stringMap(headers)
            json.field("id", id)
            json.field("idempotency_key", idempotency_key)
            json.field("last_error", last_error)
            json.field("last_status", last_status)
            json.field("max_attempts", max_attempts)
            json.field("method", method)
            if let nats {
                json.key("nats")
                nats.write(to: &json)
            }
            json.field("paused", paused)
            json.field("priority", priority)
            json.field("published_at", published_at)
            json.field("run", run)
            json.field("run_at", run_at)
            if let schedule {
                json.key("schedule")
                schedule.write(to: &json)
            }
            json.field("shard", shard)
            json.field("state", state)
            json.field("stream_sequence", stream_sequence)
            json.field("tenant", tenant)
            json.field("timeout", timeout)
            json.field("updated_at", updated_at)
            json.field("url", url)
            json.field("webhook_format", webhook_format)
        }
    }
}

extension NATSTargetView: JSONWritable {
    public func write(to json: inout JSONText) {
        json.object { json in
            json.field("body", body)
            json.key("headers")
            json.stringMap(headers)
            json.field("subject", subject)
        }
    }
}

extension ScheduleView: JSONWritable {
    public func write(to json: inout JSONText) {
        json.object { json in
            json.field("cron", cron)
            json.field("end", end)
            json.field("misfire", misfire)
            json.field("overlap", overlap)
            json.field("start", start)
            json.field("time_zone", time_zone)
        }
    }
}

extension ErrorView.Detail: JSONWritable {
    public func write(to json: inout JSONText) {
        json.object { json in
            json.field("code", code)
            json.field("field", field)
            json.field("message", message)
        }
    }
}

extension ErrorView: JSONWritable {
    public func write(to json: inout JSONText) {
        json.object { json in
            json.key("error")
            error.write(to: &json)
        }
    }
}

extension JSONText {
    /// `{"name": "value", ...}` with the names sorted, as the encoder writes a `[String: String]`.
    mutating func stringMap(_ map: [String: String]) {
        object { json in
            for name in map.keys.sorted() {
                json.key(name)
                json.string(map[name]!)
            }
        }
    }
}
