import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// The keyset predicate of a page: rows strictly after the cursor in `created_at DESC, id DESC` order, or
    /// every row on the first page. `table` is the alias whose `created_at` (or `column`) and `id` order the
    /// collection.
    package mutating func appendInterpolation(rowsAfter page: PageRequest, in table: String, orderedBy column: String = "created_at") {
        let after = page.after
        // The cursor's instant goes as RFC 3339 text, exact to the microsecond: a `Date` is a double, and the
        // driver truncates it, which can move the bound by a microsecond and repeat or skip a row.
        let createdAt = after.map { Timestamp.format($0.createdAt) }
        appendInterpolation(unescaped: "(")
        appendInterpolation(createdAt)
        appendInterpolation(unescaped: "::timestamptz IS NULL OR (\(table).\(column), \(table).id) < (")
        appendInterpolation(createdAt)
        appendInterpolation(unescaped: "::timestamptz, ")
        appendInterpolation(after?.id)
        appendInterpolation(unescaped: "::uuid)) ORDER BY \(table).\(column) DESC, \(table).id DESC LIMIT ")
        appendInterpolation(page.fetchLimit)
    }
}
