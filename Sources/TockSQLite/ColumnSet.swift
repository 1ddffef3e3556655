/// The columns a reader selects, as an enum whose raw values are the column names. The SELECT list is made from
/// the cases, so a row is read by column name and the list and the reader cannot drift apart.
public protocol ColumnSet: CaseIterable, RawRepresentable<String>, Hashable, Sendable
where AllCases == [Self] {
    /// The table, named in errors.
    static var table: String { get }
    /// Each column's position in `selectList`: `static let positions = Self.positionsInOrder()`. Stored, because
    /// rows are read on the Raft loop's path, where working it out per value (`allCases` is a new array each time)
    /// halved the submit rate.
    static var positions: [Self: Int32] { get }
}

extension ColumnSet {
    /// `a, b, c`: every case's column, in order.
    public static var selectList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// `x AS a, y AS b`: each case's column computed by `expression` (a join's qualified column, an aggregate) and
    /// named as the case (quoted: a name may be a keyword), so the row is still read by name.
    public static func selectList(from expression: (Self) -> String) -> String {
        allCases.map { "\(expression($0)) AS \"\($0.rawValue)\"" }.joined(separator: ", ")
    }

    /// What `positions` holds.
    public static func positionsInOrder() -> [Self: Int32] {
        Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, Int32($0)) })
    }

    var index: Int32 { Self.positions[self]! }
}

/// A stored value this version does not know: a damaged or newer database. Reading it as some default would
/// serve, and perhaps replicate, something other than what is stored.
public struct UnknownStoredValue: Error, CustomStringConvertible {
    public let column: String
    public let value: String

    public init(column: String, value: String) {
        self.column = column
        self.value = value
    }

    public var description: String { "\(column) holds \"\(value)\", which this version does not know" }
}

extension Row {
    public func text<C: ColumnSet>(_ column: C) -> String { text(column.index) }
    public func optionalText<C: ColumnSet>(_ column: C) -> String? { optionalText(column.index) }
    public func int64<C: ColumnSet>(_ column: C) -> Int64 { int64(column.index) }
    public func optionalInt64<C: ColumnSet>(_ column: C) -> Int64? { optionalInt64(column.index) }
    public func uint64<C: ColumnSet>(_ column: C) -> UInt64 { uint64(column.index) }
    public func blob<C: ColumnSet>(_ column: C) -> [UInt8] { blob(column.index) }
    public func int<C: ColumnSet>(_ column: C) -> Int { int(column.index) }

    /// The column's text as a `T`, or `UnknownStoredValue`.
    public func known<T: RawRepresentable<String>, C: ColumnSet>(_ column: C, as _: T.Type = T.self) throws -> T {
        let stored = text(column)
        guard let value = T(rawValue: stored) else {
            throw UnknownStoredValue(column: "\(C.table).\(column.rawValue)", value: stored)
        }
        return value
    }
}
