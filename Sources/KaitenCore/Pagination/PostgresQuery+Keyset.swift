import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// The keyset predicate of a page: rows strictly after the cursor in `created_at DESC, id DESC` order, or
    /// every row on the first page. `table` is the alias whose `created_at` (or `column`) and `id` order the
    /// collection.
    public mutating func appendInterpolation(rowsAfter page: PageRequest, in table: String, orderedBy column: String = "created_at") {
        let after = page.after
        appendInterpolation(unescaped: "(")
        appendInterpolation(after?.createdAt)
        appendInterpolation(unescaped: "::timestamptz IS NULL OR (\(table).\(column), \(table).id) < (")
        appendInterpolation(after?.createdAt)
        appendInterpolation(unescaped: "::timestamptz, ")
        appendInterpolation(after?.id)
        appendInterpolation(unescaped: "::uuid)) ORDER BY \(table).\(column) DESC, \(table).id DESC LIMIT ")
        appendInterpolation(page.fetchLimit)
    }
}
