import Foundation
import TockCore
import XCTest

/// Fire times as RFC 3339 UTC strings, so a failing table row shows readable times. Expected times in the tables
/// are written in local time with their offset (e.g. `2026-03-08T03:00:00-04:00`) and normalised the same way.
func cronFires(
    _ expression: String, in zone: String = "UTC", after: String, start: String? = nil,
    end: String? = nil, count: Int = 5, file: StaticString = #filePath, line: UInt = #line
) -> [String] {
    do {
        let schedule = try CronSchedule.parse(
            expression: expression, timeZone: zone, startNs: start.map(instant), endNs: end.map(instant))
        return schedule.upcoming(after: instant(after), count: count).map { RFC3339.format(ns: $0) }
    } catch {
        XCTFail("\(expression) in \(zone): \(error)", file: file, line: line)
        return []
    }
}

func utc(_ times: [String]) -> [String] { times.map { RFC3339.format(ns: instant($0)) } }

func instant(_ text: String) -> Int64 {
    guard let ns = RFC3339.parseNs(text) else { preconditionFailure("bad RFC 3339 time in a test: \(text)") }
    return ns
}
