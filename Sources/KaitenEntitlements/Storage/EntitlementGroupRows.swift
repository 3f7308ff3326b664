import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads entitlement groups.
enum EntitlementGroupRows: OrganizationRows {
    static let alias = "g"
    static let selection = "SELECT g.id, g.name, g.slug, g.description, g.created_at FROM entitlement_group g"
    /// The same columns, for a write that returns the row it wrote.
    static let returning = "RETURNING id, name, slug, description, created_at"

    /// Decodes the groups of a query that starts with `selection` or ends with `returning`.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [EntitlementGroupResource] {
        try await executor.all(query, as: (UUID, String, String, String?, Date).self, logger: logger).map { row in
            EntitlementGroupResource(id: row.0.lowercased, name: row.1, slug: row.2, description: row.3, createdAt: row.4)
        }
    }

    /// The organization's group with this slug, locked for the rest of the transaction when `forUpdate`.
    static func find(
        slug: String,
        organizationID: UUID,
        forUpdate: Bool = false,
        on executor: some SQLExecutor,
        logger: Logger
    ) async throws -> EntitlementGroupResource? {
        try await fetch(
            """
            \(unescaped: selection) WHERE g.organization_id = \(organizationID) AND g.slug = \(slug)
            \(unescaped: forUpdate ? "FOR UPDATE OF g" : "")
            """,
            on: executor,
            logger: logger
        ).first
    }
}

/// The writable members of a group, shared by create and the full-replacement update.
struct EntitlementGroupFields {
    let name: String
    let description: String?
    let slug: String?

    init(reading reader: inout JSONObjectReader) {
        name = reader.string("name", required: true, minLength: 1) ?? ""
        description = reader.string("description", required: true, nullable: true)
        slug = reader.slug()
    }
}
