/// The part of a webhook's answer Tock keeps (in `last_error` and the logs): at most `limit` bytes of it, as text
/// of at most `limit` bytes that is safe to store and print. Invalid UTF-8 becomes U+FFFD, a character cut at the limit is dropped, and
/// control and bidirectional-formatting characters are escaped (`\n`, `\u{1b}`), so an answer cannot forge log
/// lines or reorder what a terminal shows.
public enum AnswerExcerpt {
    public static func text(of bytes: some Collection<UInt8>, limit: Int) -> String {
        var kept = Array(bytes.prefix(max(0, limit)))
        // A multi-byte character cut at the limit is dropped rather than shown as U+FFFD.
        if kept.count == limit, let lead = kept.lastIndex(where: { $0 & 0xc0 != 0x80 }), kept[lead] >= 0xc0 {
            let width = kept[lead] >= 0xf0 ? 4 : kept[lead] >= 0xe0 ? 3 : 2
            if kept.count - lead < width { kept.removeSubrange(lead...) }
        }
        var text = ""
        for scalar in String(decoding: kept, as: UTF8.self).unicodeScalars {
            let shown: String
            switch scalar {
            case "\n": shown = "\\n"
            case "\r": shown = "\\r"
            case "\t": shown = "\\t"
            case _ where isEscaped(scalar): shown = "\\u{\(String(scalar.value, radix: 16))}"
            default: shown = String(scalar)
            }
            // Escapes make the text longer than the bytes it shows; it stays within the limit too.
            if text.utf8.count + shown.utf8.count > limit { break }
            text += shown
        }
        return text
    }

    private static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1f, 0x7f...0x9f: true
        // Bidirectional marks, embeddings, overrides and isolates; line and paragraph separators.
        case 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069, 0x2028, 0x2029: true
        default: false
        }
    }
}
