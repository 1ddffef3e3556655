import Foundation

/// Local wall time in a zone, in whole seconds: a "wall second" is a local date and time counted as if it were
/// UTC seconds since the epoch, so `wall = instant + offset`. A wall time may have no instant (in a
/// spring-forward gap), one, or two (in a fall-back repeat).
///
/// Offsets are looked up a day either side of the time in question, which finds every offset in play as long as
/// a zone changes its offset at most once in two days; real zones do.
extension TimeZone {
    func offsetSeconds(atInstant second: Int64) -> Int64 {
        Int64(secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(second))))
    }

    /// The offsets in force within a day of `second` (an instant or a wall time: offsets never exceed a day).
    func offsetsNear(_ second: Int64) -> (smallest: Int64, largest: Int64) {
        let offsets = [-CronCalendarPattern.secondsPerDay, 0, CronCalendarPattern.secondsPerDay].map {
            offsetSeconds(atInstant: second + $0)
        }
        return (offsets.min() ?? 0, offsets.max() ?? 0)
    }

    /// Every instant whose local time is `wall`, earliest first: none in a gap, two in a repeat.
    func instants(ofWall wall: Int64) -> [Int64] {
        let (smallest, largest) = offsetsNear(wall)
        var instants: [Int64] = []
        for offset in Set([largest, offsetSeconds(atInstant: wall), smallest]) {
            let instant = wall - offset
            if offsetSeconds(atInstant: instant) == offset { instants.append(instant) }
        }
        return instants.sorted()
    }

    /// The first instant whose local time is later than `wall`: for a wall time inside a spring-forward gap, the
    /// moment the clocks jump (03:00 after a 02:00→03:00 jump).
    func firstInstant(laterThanWall wall: Int64) -> Int64 {
        let (smallest, largest) = offsetsNear(wall)
        // Local time rises with the instant across a jump forward, so bisect between an instant whose local
        // time is before `wall` (`low`) and one whose local time is after it (`high`).
        var low = wall - largest - 1
        var high = wall - smallest + 1
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if middle + offsetSeconds(atInstant: middle) > wall { high = middle } else { low = middle }
        }
        return high
    }
}
