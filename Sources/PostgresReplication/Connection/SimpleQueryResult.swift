/// The result of a simple query's last statement, every value in text format; nil is SQL NULL.
package struct SimpleQueryResult: Hashable, Sendable {
    package var columns: [String]
    package var rows: [[String?]]
    /// E.g. `SELECT 1`, `CREATE_REPLICATION_SLOT`, `CREATE PUBLICATION`.
    package var commandTag: String

    package init(columns: [String], rows: [[String?]], commandTag: String) {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
    }

    /// The named column of the first row, if there is such a row and column.
    package func firstValue(_ column: String) -> String? {
        guard let row = rows.first, let index = columns.firstIndex(of: column) else { return nil }
        return row[index]
    }
}
