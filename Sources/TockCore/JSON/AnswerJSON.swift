import Foundation

/// The JSON of an API answer: written directly by values that can (`JSONWritable`, the per-job answers), by a
/// sorted-keys encoder otherwise. Nil only when the encoder fails.
public enum AnswerJSON {
    public static func bytes(_ value: some Encodable) -> [UInt8]? {
        if let writable = value as? any JSONWritable {
            var json = JSONText()
            writable.write(to: &json)
            return json.bytes
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map(Array.init)
    }
}
