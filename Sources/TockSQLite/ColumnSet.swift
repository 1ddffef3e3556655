/// The columns a reader selects, as an enum whose raw values are the column names. The SELECT list is made from
/// the cases, so a row is read by column name and the list and the reader cannot drift apart.
///
/// A conformer is a case-only enum (`enum JobColumn: String, ColumnSet`), nothing more: rows are read on the Raft
/// loop's path, so a column's position is the case's declaration index (`index`), found without hashing.
public protocol ColumnSet: CaseIterable, RawRepresentable<String>, Hashable, Sendable
where AllCases == [Self] {
    /// The table, named in errors.
    static var table: String { get }
}

extension ColumnSet {
    /// `a, b, c`: every case's column, in order.
    public static var selectList: String {
        assertIndexesFollowDeclarationOrder()
        return allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// `x AS a, y AS b`: each case's column computed by `expression` (a join's qualified column, an aggregate) and
    /// named as the case (quoted: a name may be a keyword), so the row is still read by name.
    public static func selectList(from expression: (Self) -> String) -> String {
        assertIndexesFollowDeclarationOrder()
        return allCases.map { "\(expression($0)) AS \"\($0.rawValue)\"" }.joined(separator: ", ")
    }

    /// The case's position in `selectList`. A case-only enum is stored as its case's index in declaration order,
    /// which is also the order of `allCases`; reading that byte costs nothing, where looking the case up in a
    /// dictionary hashed its raw value (a string) for every column of every row read, 3 % of a busy shard's CPU.
    /// Debug builds check the premise each time a select list is made (`assertIndexesFollowDeclarationOrder`).
    @inlinable
    public var index: Int32 {
        Int32(withUnsafeBytes(of: self) { $0.first ?? 0 })
    }

    @usableFromInline
    static func assertIndexesFollowDeclarationOrder() {
        assert(
            MemoryLayout<Self>.size <= 1 && allCases.enumerated().allSatisfy { Int32($0.offset) == $0.element.index },
            "\(Self.self) is not a case-only enum whose cases are stored in declaration order")
    }
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
    @inlinable public func text<C: ColumnSet>(_ column: C) -> String { text(column.index) }
    @inlinable public func optionalText<C: ColumnSet>(_ column: C) -> String? { optionalText(column.index) }
    @inlinable public func int64<C: ColumnSet>(_ column: C) -> Int64 { int64(column.index) }
    @inlinable public func optionalInt64<C: ColumnSet>(_ column: C) -> Int64? { optionalInt64(column.index) }
    @inlinable public func uint64<C: ColumnSet>(_ column: C) -> UInt64 { uint64(column.index) }
    @inlinable public func blob<C: ColumnSet>(_ column: C) -> [UInt8] { blob(column.index) }
    @inlinable public func int<C: ColumnSet>(_ column: C) -> Int { int(column.index) }

    /// The column's text as a `T`, or `UnknownStoredValue`.
    @inlinable public func known<T: RawRepresentable<String>, C: ColumnSet>(_ column: C, as _: T.Type = T.self) throws
        -> T
    {
        let stored = text(column)
        guard let value = T(rawValue: stored) else {
            throw UnknownStoredValue(column: "\(C.table).\(column.rawValue)", value: stored)
        }
        return value
    }
}
