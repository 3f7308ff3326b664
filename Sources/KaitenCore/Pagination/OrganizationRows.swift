import Foundation
import Logging
import PostgresNIO

/// A reader of one table's rows as the resources an API answers with, for collections that list an
/// organization's rows newest first.
package protocol OrganizationRows {
    associatedtype Row
    /// `SELECT … FROM <table> <alias> …`, open for a `WHERE`.
    static var selection: String { get }
    /// The alias of the table in `selection` that holds `organization_id`, `created_at` and `id`.
    static var alias: String { get }
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [Row]
}

extension OrganizationRows {
    /// The organization's rows of one page, in keyset order.
    package static func page(_ page: PageRequest, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> [Row] {
        try await fetch(
            """
            \(unescaped: selection)
            WHERE \(unescaped: alias).organization_id = \(organizationID)
              AND \(rowsAfter: page, in: alias)
            """,
            on: executor,
            logger: logger
        )
    }
}
