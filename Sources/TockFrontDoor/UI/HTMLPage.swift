/// HTML written as text, every value escaped on the way in: the dashboard shows job fields (URLs, headers, bodies,
/// error excerpts from webhook answers) that anyone who could submit a job chose, so nothing reaches the page
/// unescaped but the markup written here.
struct HTMLPage {
    private(set) var text = ""

    /// Markup written by this module, never a value from a job or a request.
    mutating func raw(_ markup: StaticString) {
        text += markup.description
    }

    /// A value, escaped for an element's content or a quoted attribute.
    mutating func text(_ value: String) {
        text += Self.escape(value)
    }

    /// `<tag attributes>content</tag>`; attribute values are escaped.
    mutating func element(
        _ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:],
        _ content: (inout HTMLPage) -> Void
    ) {
        open(tag, attributes)
        content(&self)
        text += "</\(tag)>"
    }

    /// `<tag attributes>value</tag>`.
    mutating func element(
        _ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:], text value: String
    ) {
        element(tag, attributes) { $0.text(value) }
    }

    mutating func open(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:]) {
        text += "<\(tag)"
        for (name, value) in attributes {
            text += " \(name)=\"\(Self.escape(value))\""
        }
        text += ">"
    }

    static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A query string component: everything but unreserved characters percent-encoded.
    static func queryValue(_ value: String) -> String {
        var encoded = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
