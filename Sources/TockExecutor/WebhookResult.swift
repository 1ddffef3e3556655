/// What one webhook attempt came to.
public enum WebhookResult: Sendable, Equatable {
    /// The target answered 2xx.
    case delivered(status: Int)
    /// Any other answer, a timeout or a connection error. `status` is nil when there was no response.
    case failed(status: Int?, error: String)
}
