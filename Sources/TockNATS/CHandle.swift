/// A cnats handle (`natsConnection*`, `natsSubscription*`) held in a `Mutex`, which takes only Sendable values.
///
/// `@unchecked Sendable`: cnats' connection and subscription calls lock internally and may come from any thread;
/// who may use the handle when (never after it is destroyed) is the owner's invariant, stated where it is held.
struct CHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }
}
