import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads license versions.
enum LicenseRows: OrganizationRows {
    static let alias = "l"
    /// The columns of a version under the alias `l`, for SELECT and for RETURNING alike.
    static let columns = """
        l.id, l.name, l.slug, l.description, l.type::text, l.version, l.version_name, l.is_default, l.family_id,
        l.lifecycle_state::text, l.created_at, l.updated_at
        """
    static let selection = "SELECT \(columns) FROM license l"

    typealias Columns = (UUID, String, String, String, String, Int, String, Bool, UUID, String, Date, Date)

    /// Decodes the versions of a query that yields ``columns``.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [LicenseResource] {
        try await executor.all(query, as: Columns.self, logger: logger).map { row in
            LicenseResource(
                id: row.0.lowercased,
                name: row.1,
                slug: row.2,
                description: row.3,
                type: row.4,
                version: row.5,
                versionName: row.6,
                isDefault: row.7,
                familyId: row.8.lowercased,
                lifecycleState: row.9,
                createdAt: row.10,
                updatedAt: row.11
            )
        }
    }

    /// The organization's version with this slug.
    static func find(slug: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> LicenseResource? {
        try await fetch(
            "\(unescaped: selection) WHERE l.organization_id = \(organizationID) AND l.slug = \(slug)",
            on: executor,
            logger: logger
        ).first
    }

    /// The version with this slug, its row locked for the rest of the transaction.
    ///
    /// `FOR NO KEY UPDATE` is what the version's own UPDATE takes anyway; it does not block rows being inserted
    /// against the version (a grant) meanwhile.
    static func lock(slug: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> LicenseResource? {
        try await fetch(
            "\(unescaped: selection) WHERE l.organization_id = \(organizationID) AND l.slug = \(slug) FOR NO KEY UPDATE",
            on: executor,
            logger: logger
        ).first
    }
}

extension PostgresFailure {
    /// A delete refused because rows still reference the deleted one (`ON DELETE RESTRICT`).
    var isStillReferenced: Bool { isForeignKeyViolation || isRestrictViolation }
}
