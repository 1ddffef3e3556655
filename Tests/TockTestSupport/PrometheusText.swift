/// A strict reader of the Prometheus text exposition format (0.0.4), so a test fails on any line a Prometheus
/// server would reject: metric and label names, label quoting and escapes, float values, one TYPE per family
/// given before its samples, and histogram buckets with an `le` label.
public struct PrometheusText: Sendable {
    public struct Sample: Sendable, Equatable {
        public let name: String
        public let labels: [String: String]
        public let value: Double
    }

    public struct Malformed: Error, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public private(set) var samples: [Sample] = []
    /// Family name → counter, gauge, histogram, summary or untyped.
    public private(set) var types: [String: String] = [:]
    public private(set) var help: [String: String] = [:]

    public init(parsing text: String) throws {
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                try comment(String(line), line: number)
            } else {
                try sample(String(line), line: number)
            }
        }
    }

    /// The value of the one sample with this name and exactly these labels, if any.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The sum over every sample of `name` whose labels include `matching`.
    public func sum(_ name: String, matching: [String: String] = [:]) -> Double {
        samples.filter { sample in
            sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }.reduce(0) { $0 + $1.value }
    }

    private mutating func comment(_ line: String, line number: Int) throws {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[1] == "HELP" || parts[1] == "TYPE" else { return }
        let family = parts[2]
        guard Self.isMetricName(family) else { throw Malformed(line: number, reason: "bad metric name \(family)") }
        if parts[1] == "TYPE" {
            let type = parts.count > 3 ? parts[3] : ""
            guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(type) else {
                throw Malformed(line: number, reason: "unknown type \(type)")
            }
            guard types[family] == nil else { throw Malformed(line: number, reason: "second TYPE for \(family)") }
            guard !samples.contains(where: { Self.family(of: $0.name, types: [family: type]) == family }) else {
                throw Malformed(line: number, reason: "TYPE for \(family) after its samples")
            }
            types[family] = type
        } else {
            help[family] = parts.count > 3 ? parts[3] : ""
        }
    }

    private mutating func sample(_ line: String, line number: Int) throws {
        var rest = Substring(line)
        let name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" })
        guard Self.isMetricName(name) else { throw Malformed(line: number, reason: "bad metric name in \(line)") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                guard Self.isLabelName(label), rest.dropFirst(label.count).hasPrefix("=\"") else {
                    throw Malformed(line: number, reason: "bad label in \(line)")
                }
                rest = rest.dropFirst(label.count + 2)
                var value = ""
                while let c = rest.first, c != "\"" {
                    rest = rest.dropFirst()
                    if c == "\\" {
                        switch rest.first {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw Malformed(line: number, reason: "bad escape in \(line)")
                        }
                        rest = rest.dropFirst()
                    } else {
                        value.append(c)
                    }
                }
                guard rest.first == "\"" else { throw Malformed(line: number, reason: "unterminated label value") }
                rest = rest.dropFirst()
                guard labels.updateValue(value, forKey: label) == nil else {
                    throw Malformed(line: number, reason: "label \(label) twice")
                }
                if rest.first == "," {
                    rest = rest.dropFirst()
                } else if rest.first != "}" {
                    throw Malformed(line: number, reason: "expected , or } in \(line)")
                }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ")
        guard rest.first == " ", (1...2).contains(fields.count), let value = Self.float(fields[0]) else {
            throw Malformed(line: number, reason: "bad value in \(line)")
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw Malformed(line: number, reason: "bad timestamp") }
        if types[Self.family(of: name, types: types)] == "histogram", name.hasSuffix("_bucket"), labels["le"] == nil {
            throw Malformed(line: number, reason: "a bucket without le")
        }
        samples.append(Sample(name: name, labels: labels, value: value))
    }

    private static func family(of name: String, types: [String: String]) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return name
    }

    private static func float(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
