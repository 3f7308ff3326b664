extension Page {
    /// Builds the page of a collection that keeps its own order, and so its own cursor: `cursor` encodes the
    /// position after a row.
    package init(rows: [Item], limit: Int, cursor: (Item) -> String) {
        hasMore = rows.count > limit
        items = Array(rows.prefix(limit))
        nextCursor = hasMore ? items.last.map(cursor) : nil
    }
}
