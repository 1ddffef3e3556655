import Hummingbird
import TockCore
import TockShard

extension RunsPage {
    /// `cursor` (the `next_cursor` of the previous page: a run number) and `limit` (1 to 1000, default 100).
    init(parameters: Parameters) throws(FieldError) {
        self.init()
        if let text = parameters["cursor"].map(String.init) {
            guard let run = UInt32(text) else {
                throw FieldError(field: "cursor", message: "cursor must be the next_cursor of the previous page")
            }
            afterRun = run
        }
        if let text = parameters["limit"].map(String.init) {
            guard let limit = Int(text), (1...Self.maxLimit).contains(limit) else {
                throw FieldError(field: "limit", message: "limit must be an integer from 1 to \(Self.maxLimit)")
            }
            self.limit = limit
        }
    }

    /// The same page as a query string, for a call forwarded to the owning shard.
    var queryString: String { "cursor=\(afterRun)&limit=\(limit)" }
}
