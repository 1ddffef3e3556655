import Foundation

/// The JSON body scheduled-db POSTs to a job's webhook, byte for byte as its executor builds it: a Go
/// `map[string]interface{}` passed to `encoding/json`, which writes the keys sorted and `data` even when the job
/// has no payload:
///
///     {"data":{"order":42},"job_id":"0-01M8…","timestamp":1767225600,"type":"unico"}
///
/// `timestamp` is the send time in Unix seconds (not the due time), so every attempt has its own.
public enum ScheduledDBWebhookBody {
    /// `payload` is the job's stored body: JSON is embedded as it is, an empty body is `null`, and anything else
    /// (a job given text, which the API refuses for this format but an older message could still carry) becomes
    /// a JSON string, so the receiver always gets valid JSON.
    public static func encode(jobID: String, type: ScheduledDBJobType, sentAtSeconds: Int64, payload: [UInt8])
        -> [UInt8]
    {
        var out = Array(#"{"data":"#.utf8)
        out += data(payload)
        out += Array(#","job_id":"#.utf8)
        out += jsonString(jobID)
        out += Array(#","timestamp":\#(sentAtSeconds),"type":"#.utf8)
        out += jsonString(type.rawValue)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func data(_ payload: [UInt8]) -> [UInt8] {
        if payload.isEmpty { return Array("null".utf8) }
        if JSONValue(parsing: payload) != nil { return payload }
        return jsonString(String(decoding: payload, as: UTF8.self))
    }

    private static func jsonString(_ text: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding a String cannot fail; the fallback only satisfies the type checker.
        return (try? Array(encoder.encode(text))) ?? Array("\"\"".utf8)
    }
}
