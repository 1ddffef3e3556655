import Foundation

/// C copies of Swift strings for cnats config structs, which only borrow their `const char*`
/// fields: the arena must stay alive (`withExtendedLifetime`) until the cnats call returns.
final class CStringArena {
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var arrays: [UnsafeMutablePointer<UnsafePointer<CChar>?>] = []

    func string(_ value: String) -> UnsafePointer<CChar> {
        let copy = strdup(value)!
        strings.append(copy)
        return UnsafePointer(copy)
    }

    /// A `const char**` whose elements live as long as the arena.
    func array(_ values: [String]) -> UnsafeMutablePointer<UnsafePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(values.count, 1))
        for (index, value) in values.enumerated() {
            (array + index).initialize(to: string(value))
        }
        arrays.append(array)
        return array
    }

    deinit {
        strings.forEach { free($0) }
        arrays.forEach { $0.deallocate() }
    }
}
