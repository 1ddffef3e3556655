extension String {
    /// At most `maxBytes` bytes of UTF-8, cut before the first scalar that would cross the limit: to clamp a text
    /// that came over a network to a size, or to quote one in a message. (`prefix(_:)` counts characters, and one
    /// character can be any number of bytes.)
    public func utf8Prefix(_ maxBytes: Int) -> String {
        guard utf8.count > maxBytes else { return self }
        var bytes = 0
        var end = unicodeScalars.endIndex
        for index in unicodeScalars.indices {
            let width = UTF8.width(unicodeScalars[index])
            if bytes + width > maxBytes {
                end = index
                break
            }
            bytes += width
        }
        return String(unicodeScalars[..<end])
    }
}
