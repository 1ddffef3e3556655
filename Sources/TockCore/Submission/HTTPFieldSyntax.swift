/// RFC 9110's syntax for the parts of a request Tock builds from strings that came over a network: a method or
/// header name is a token; a header value holds no control character but HTAB (CR or LF would end the header and
/// start another, NUL cuts it short in C code on the way).
public enum HTTPFieldSyntax {
    private static let tokenPunctuation = Set("!#$%&'*+-.^_`|~".utf8)

    public static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || tokenPunctuation.contains(byte)
            }
    }

    public static func isFieldValue(_ text: String) -> Bool {
        !text.utf8.contains { byte in (byte < 0x20 && byte != 0x09) || byte == 0x7F }
    }
}
