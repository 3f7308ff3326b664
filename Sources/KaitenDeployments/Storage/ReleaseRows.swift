import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// A release row, before its components are attached.
struct ReleaseRow {
    let id: UUID
    let version: String
    let slug: String
    let description: String?
    let createdBy: UserReference
    let createdAt: Date
}

/// Reads releases with the names of the users who created them and the components they hold.
enum ReleaseRows: OrganizationRows {
    static let alias = "r"
    static let selection = """
        SELECT r.id, r.version, r.slug, r.description,
               COALESCE(r.created_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), creator.name, r.created_at
        FROM release r
        LEFT JOIN "user" creator ON creator.id = r.created_by_id
        """

    typealias Columns = (UUID, String, String, String?, UUID, String?, Date)

    /// Decodes the releases of a query that starts with `selection`, each with its components.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [ReleaseResource] {
        let rows = try await executor.all(query, as: Columns.self, logger: logger).map { row in
            ReleaseRow(id: row.0, version: row.1, slug: row.2, description: row.3, createdBy: UserReference(id: row.4, name: row.5), createdAt: row.6)
        }
        let components = try await ComponentRows.components(ofReleases: rows.map(\.id), on: executor, logger: logger)
        return rows.map { ReleaseResource($0, components: components[$0.id] ?? []) }
    }

    /// The organization's release with this slug, locked for the rest of the transaction when `forUpdate`.
    ///
    /// The lock also holds off a deployment of the release: recording one takes a key-share lock on its row.
    static func find(
        slug: String, organizationID: UUID, forUpdate: Bool = false, on executor: some SQLExecutor, logger: Logger
    ) async throws -> ReleaseResource? {
        try await fetch(
            """
            \(unescaped: selection) WHERE r.organization_id = \(organizationID) AND r.slug = \(slug)
            \(unescaped: forUpdate ? "FOR UPDATE OF r" : "")
            """,
            on: executor,
            logger: logger
        ).first
    }
}
