import Foundation
import Hummingbird
import TockShard

extension Parameters {
    /// A path parameter as the client meant it. Hummingbird hands path segments over still percent-encoded, so a
    /// scheduled-db client's own id `order 42` would otherwise be looked up as `order%2042` and never found. A
    /// segment that is not valid percent-encoding is taken as it came.
    public func decoded(_ name: String) throws -> String {
        let raw = try require(name)
        return raw.removingPercentEncoding ?? raw
    }
}
