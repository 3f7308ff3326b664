import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads grants (`license_entitlement`) with their entitlement, their license and the users behind them.
///
/// The entitlement belongs to the entitlements module; its rows are read here by SQL, never through that
/// module's code.
enum GrantRows {
    static let selection = """
        SELECT le.id, e.id, e.slug, e.name, e.type::text, l.id, l.slug,
               COALESCE(le.created_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), creator.name, le.created_at,
               COALESCE(le.updated_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), updater.name, le.updated_at,
               le.value::text, le.limit_cap_exceeded_overage_percent
        FROM license_entitlement le
        JOIN license l ON l.id = le.license_id
        JOIN entitlement e ON e.id = le.entitlement_id
        LEFT JOIN "user" creator ON creator.id = le.created_by_id
        LEFT JOIN "user" updater ON updater.id = le.updated_by_id
        """

    typealias Columns = (UUID, UUID, String, String, String, UUID, String, UUID, String?, Date, UUID, String?, Date, String, Int?)

    /// A stored value outside the three shapes, which the table's CHECK constraint makes impossible.
    struct UnreadableValue: Error {
        let text: String
    }

    /// Decodes the grants of a query that starts with ``selection``.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [LicenseEntitlementResource] {
        try await executor.all(query, as: Columns.self, logger: logger).map { row in
            guard let value = EntitlementValue(json: try JSONValue.parse(Array(row.13.utf8))) else { throw UnreadableValue(text: row.13) }
            return LicenseEntitlementResource(
                rowID: row.0,
                entitlementID: row.1,
                entitlementSlug: row.2,
                entitlementName: row.3,
                entitlementType: wireType(ofEntitlementType: row.4),
                licenseId: row.5.lowercased,
                licenseSlug: row.6,
                createdBy: UserReference(id: row.7, name: row.8),
                createdAt: row.9,
                updatedBy: UserReference(id: row.10, name: row.11),
                updatedAt: row.12,
                value: value,
                limitCapExceededOveragePercent: row.14,
                entitlementGroups: nil
            )
        }
    }

    /// The contract types a grant's entitlement as BOOLEAN, NUMBER or CONFIG: an AI-credit entitlement is a
    /// number one, and grants a number.
    static func wireType(ofEntitlementType type: String) -> String {
        type == "NUMBER_AI_CREDIT" ? "NUMBER" : type
    }

    /// The grant of the entitlement slugged `entitlementSlug` by the license slugged `licenseSlug`.
    static func find(
        licenseSlug: String,
        entitlementSlug: String,
        organizationID: UUID,
        on executor: some SQLExecutor,
        logger: Logger
    ) async throws -> LicenseEntitlementResource? {
        try await fetch(
            """
            \(unescaped: selection)
            WHERE le.organization_id = \(organizationID) AND l.slug = \(licenseSlug) AND e.slug = \(entitlementSlug)
            """,
            on: executor,
            logger: logger
        ).first
    }

    static func find(id: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> LicenseEntitlementResource {
        try await fetch("\(unescaped: selection) WHERE le.id = \(id)", on: executor, logger: logger)[0]
    }

    /// The groups of each entitlement, by name.
    static func groups(
        of entitlementIDs: [UUID],
        organizationID: UUID,
        on executor: some SQLExecutor,
        logger: Logger
    ) async throws -> [UUID: [EntitlementGroupSummary]] {
        guard !entitlementIDs.isEmpty else { return [:] }
        let rows = try await executor.all(
            """
            SELECT m.entitlement_id, g.id, g.name, g.slug
            FROM entitlement_group_membership m JOIN entitlement_group g ON g.id = m.entitlement_group_id
            WHERE m.organization_id = \(organizationID) AND m.entitlement_id = ANY(\(entitlementIDs))
            ORDER BY g.name, g.id
            """,
            as: (UUID, UUID, String, String).self,
            logger: logger
        )
        return Dictionary(grouping: rows, by: \.0).mapValues { $0.map { EntitlementGroupSummary(id: $0.1.lowercased, name: $0.2, slug: $0.3) } }
    }
}

/// An entitlement of the organization, as a grant needs it.
struct EntitlementRow {
    let id: UUID
    let slug: String
    /// `BOOLEAN`, `NUMBER`, `CONFIG` or `NUMBER_AI_CREDIT`.
    let type: String

    static func find(slug: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> EntitlementRow? {
        try await executor.first(
            "SELECT id, slug, type::text FROM entitlement WHERE organization_id = \(organizationID) AND slug = \(slug)",
            as: (UUID, String, String).self,
            logger: logger
        ).map { EntitlementRow(id: $0.0, slug: $0.1, type: $0.2) }
    }
}
