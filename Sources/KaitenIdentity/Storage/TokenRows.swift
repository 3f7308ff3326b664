import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads token rows with the names of the users who created and revoked them.
enum TokenRows {
    static let selection = """
        SELECT t.id, t.name, t.slug, t.scopes, t.service_account_id, t.expires_at, t.created_at,
               COALESCE(t.created_by, t.service_account_id), creator.name, t.revoked_date, t.revoked_by, revoker.name
        FROM token t
        LEFT JOIN "user" creator ON creator.id = COALESCE(t.created_by, t.service_account_id)
        LEFT JOIN "user" revoker ON revoker.id = t.revoked_by
        """

    typealias Columns = (UUID, String, String, [String], UUID, Date?, Date, UUID, String?, Date?, UUID?, String?)

    static func resource(_ row: Columns) -> TokenResource {
        TokenResource(
            id: row.0.lowercased,
            name: row.1,
            slug: row.2,
            scopes: row.3,
            serviceAccountId: row.4.lowercased,
            expiresAt: row.5,
            createdAt: row.6,
            createdBy: UserReference(id: row.7, name: row.8),
            revokedAt: row.9,
            revokedBy: row.10.map { UserReference(id: $0, name: row.11) }
        )
    }

    /// Runs a query that starts with `\(unescaped: TokenRows.selection)` and decodes its tokens.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [TokenResource] {
        try await executor.all(query, as: Columns.self, logger: logger).map(resource)
    }
}
