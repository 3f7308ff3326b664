import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads service accounts (machine users of an organization) with their creators and tokens.
enum ServiceAccountRows {
    static let selection = """
        SELECT sa.id, sa.name, sa.slug, sa.external_id, COALESCE(sa.created_by_id, sa.id), creator.name, sa.created_at
        FROM "user" sa
        LEFT JOIN "user" creator ON creator.id = COALESCE(sa.created_by_id, sa.id)
        """

    typealias Columns = (UUID, String, String, String, UUID, String?, Date)

    /// Decodes the accounts of a query that starts with `selection`, each with its tokens, newest first.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [ServiceAccountResource] {
        let rows = try await executor.all(query, as: Columns.self, logger: logger)
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.0)
        let tokens = try await TokenRows.fetch(
            "\(unescaped: TokenRows.selection) WHERE t.service_account_id = ANY(\(ids)) ORDER BY t.created_at DESC, t.id DESC",
            on: executor,
            logger: logger
        )
        let tokensByAccount = Dictionary(grouping: tokens, by: \.serviceAccountId)
        return rows.map { row in
            ServiceAccountResource(
                id: row.0.lowercased,
                name: row.1,
                slug: row.2,
                externalId: row.3,
                createdBy: UserReference(id: row.4, name: row.5),
                createdAt: row.6,
                tokens: tokensByAccount[row.0.lowercased] ?? []
            )
        }
    }

    /// The id of the organization's service account with this slug, or nil.
    static func id(slug: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> UUID? {
        try await executor.first(
            """
            SELECT id FROM "user"
            WHERE organization_id = \(organizationID) AND type = 'machine' AND slug = \(slug) AND deleted_at IS NULL
            """,
            as: UUID.self,
            logger: logger
        )
    }
}
