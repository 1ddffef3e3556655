#if canImport(Glibc)
    import Glibc
#endif

/// Rows of text in columns aligned with spaces, for `tock list` and `tock counts`. On a terminal the table fits
/// its width by cutting one column's long cells; printed to a pipe or a file it stays whole, so that nothing a
/// script reads is cut.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    /// The column whose cells are cut, ending in "…", when the table is wider than the terminal.
    var flexibleColumn: Int? = nil
    /// Columns of numbers, aligned right.
    var rightAligned: Set<Int> = []

    /// The table, one line per row after the header; `width` nil renders every cell whole.
    func render(width: Int?) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        let gap = 2
        let total = widths.reduce(0, +) + gap * max(0, widths.count - 1)
        if let width, let flexible = flexibleColumn, total > width {
            widths[flexible] = max(header[flexible].count, widths[flexible] - (total - width))
        }
        return ([header] + rows).map { row in
            var line = ""
            for (column, width) in widths.enumerated() {
                var cell = column < row.count ? row[column] : ""
                if cell.count > width { cell = String(cell.prefix(max(0, width - 1))) + "…" }
                let padding = String(repeating: " ", count: width - cell.count)
                if column > 0 { line += String(repeating: " ", count: gap) }
                line += rightAligned.contains(column) ? padding + cell : cell + padding
            }
            while line.last == " " { line.removeLast() }
            return line + "\n"
        }.joined()
    }

    /// Stdout's width in columns when it is a terminal; nil when it is a pipe or a file.
    static func terminalWidth() -> Int? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
