import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// The keyset predicate of a page: rows strictly after the cursor in `created_at DESC, id DESC` order, or
    /// every row on the first page. `table` is the alias whose `created_at` and `id` order the collection.
    public mutating func appendInterpolation(rowsAfter page: PageRequest, in table: String) {
        let after = page.after
        appendInterpolation(unescaped: "(")
        appendInterpolation(after?.createdAt)
        appendInterpolation(unescaped: "::timestamptz IS NULL OR (\(table).created_at, \(table).id) < (")
        appendInterpolation(after?.createdAt)
        appendInterpolation(unescaped: "::timestamptz, ")
        appendInterpolation(after?.id)
        appendInterpolation(unescaped: "::uuid)) ORDER BY \(table).created_at DESC, \(table).id DESC LIMIT ")
        appendInterpolation(page.fetchLimit)
    }
}
