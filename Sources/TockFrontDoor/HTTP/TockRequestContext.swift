import Hummingbird
import TockAuth
import TockShard

/// The request context of Tock's HTTP servers: Hummingbird's own, and the caller `APIAuthentication` found.
public struct TockRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `nobody` until `APIAuthentication` has passed the request, so a route reached without it can do nothing.
    public var caller: Caller

    public init(source: Source) {
        coreContext = .init(source: source)
        caller = .nobody
    }
}
