import Foundation
import PostgresNIO

/// A list page's view as its URL states it: search text, filters, sort and page. A link reproduces the view;
/// a value the page does not know (a sort key, a page number, a size) falls back to the default.
struct ListQuery {
    static let sizes = [10, 20, 30, 50]
    /// Beyond this page a list is better searched than paged, and the offset stays small.
    static let lastPage = 10_000

    let path: String
    let search: String?
    let filters: [String: String]
    let sort: String
    let descending: Bool
    let page: Int
    let size: Int

    /// - Parameters:
    ///   - sorts: the sort keys the page offers, the first being the default.
    ///   - filters: the filter parameters the page offers, each with the values it accepts (nil: any text).
    init(_ console: ConsoleRequest, path: String, sorts: [String], defaultDescending: Bool = false, filters: [String: Set<String>?] = [:]) {
        self.path = path
        search = console.query("q").map { String($0.prefix(200)) }
        var accepted: [String: String] = [:]
        for (name, allowed) in filters {
            guard let value = console.query(name) else { continue }
            if let allowed, !allowed.contains(value) { continue }
            accepted[name] = String(value.prefix(200))
        }
        self.filters = accepted
        let requestedSort = console.query("sort")
        sort = requestedSort.flatMap { sorts.contains($0) ? $0 : nil } ?? sorts[0]
        descending = console.query("dir").map { $0 == "desc" } ?? (requestedSort == nil && defaultDescending)
        page = min(max(console.query("page").flatMap(Int.init) ?? 1, 1), Self.lastPage)
        size = console.query("size").flatMap(Int.init).flatMap { Self.sizes.contains($0) ? $0 : nil } ?? Self.sizes[0]
    }

    var offset: Int { (page - 1) * size }

    /// `%text%` for ILIKE, with the pattern characters of the search taken literally; nil without a search.
    var searchPattern: String? {
        search.map {
            "%"
                + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
                    of: "_", with: "\\_") + "%"
        }
    }

    var direction: String { descending ? "DESC" : "ASC" }

    /// This view's URL with some parameters changed (nil removes one).
    func link(_ changes: [String: String?] = [:]) -> String {
        var parameters: [String: String] = filters
        parameters["q"] = search
        parameters["sort"] = sort
        parameters["dir"] = descending ? "desc" : "asc"
        parameters["page"] = String(page)
        parameters["size"] = String(size)
        for (name, value) in changes { parameters[name] = value }
        var components = URLComponents()
        components.path = path
        components.queryItems = parameters.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return components.string ?? path
    }

    /// A column header's sort link and its state, for `aria-sort`.
    func column(_ key: String, _ label: String) -> [String: Any] {
        let current = key == sort
        return [
            "label": label,
            "link": link(["sort": key, "dir": current && !descending ? "desc" : "asc", "page": "1"]),
            "ariaSort": current ? (descending ? "descending" : "ascending") : "none",
        ]
    }

    /// A filter's `<option>`s: each value with its label, the one the view filters on selected.
    func options(_ filter: String, _ choices: [(value: String, label: String)]) -> [[String: Any]] {
        choices.map { ["value": $0.value, "label": $0.label, "selected": filters[filter] == $0.value] }
    }

    /// The pager under a list of `total` rows.
    func pager(total: Int) -> [String: Any] {
        let pages = max(1, (total + size - 1) / size)
        return [
            "total": total,
            "page": page,
            "pages": pages,
            "multiple": pages > 1,
            "previous": page > 1 ? link(["page": String(page - 1)]) : "",
            "next": page < pages ? link(["page": String(page + 1)]) : "",
            "sizes": Self.sizes.map { ["size": $0, "link": link(["size": String($0), "page": "1"]), "current": $0 == size] as [String: Any] },
            "filtered": search != nil || !filters.isEmpty,
        ]
    }
}
