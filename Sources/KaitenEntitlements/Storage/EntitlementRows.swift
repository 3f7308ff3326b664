import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads entitlements with the groups they belong to.
enum EntitlementRows: OrganizationRows {
    static let alias = "e"
    static let selection = """
        SELECT e.id, e.name, e.slug, e.description, e.type::text, e.aggregation_method::text, e.icon,
               e.unit_singular, e.unit_plural, e.sale_unit_singular, e.sale_unit_plural, e.sale_unit_factor,
               e.user_facing, e.display_order, e.warning_threshold_percent, e.reset_period::text, e.reset_anchor::text,
               e.created_at, e.updated_at
        FROM entitlement e
        """

    typealias Columns = (
        UUID, String, String, String?, String, String?, String?,
        String?, String?, String?, String?, Double?,
        Bool, Int, Int, String?, String?,
        Date, Date
    )

    /// Decodes the entitlements of a query that starts with `selection`, then loads their groups in one more
    /// query.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [EntitlementResource] {
        let rows = try await executor.all(query, as: Columns.self, logger: logger)
        let groups = try await groupsByEntitlement(rows.map(\.0), on: executor, logger: logger)
        return rows.map { row in
            EntitlementResource(
                id: row.0.lowercased,
                name: row.1,
                slug: row.2,
                description: row.3,
                type: row.4,
                aggregationMethod: row.5,
                entitlementGroups: groups[row.0] ?? [],
                icon: row.6,
                unitSingular: row.7,
                unitPlural: row.8,
                saleUnitSingular: row.9,
                saleUnitPlural: row.10,
                saleUnitFactor: row.11,
                userFacing: row.12,
                displayOrder: row.13,
                warningThresholdPercent: row.14,
                resetPeriod: row.15,
                resetAnchor: row.16,
                createdAt: row.17,
                updatedAt: row.18
            )
        }
    }

    /// The organization's entitlement with this slug, locked for the rest of the transaction when `forUpdate`.
    static func find(
        slug: String,
        organizationID: UUID,
        forUpdate: Bool = false,
        on executor: some SQLExecutor,
        logger: Logger
    ) async throws -> EntitlementResource? {
        try await fetch(
            """
            \(unescaped: selection) WHERE e.organization_id = \(organizationID) AND e.slug = \(slug)
            \(unescaped: forUpdate ? "FOR UPDATE OF e" : "")
            """,
            on: executor,
            logger: logger
        ).first
    }

    private static func groupsByEntitlement(
        _ ids: [UUID], on executor: some SQLExecutor, logger: Logger
    ) async throws -> [UUID: [EntitlementGroupSummary]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await executor.all(
            """
            SELECT m.entitlement_id, g.id, g.name, g.slug
            FROM entitlement_group_membership m
            JOIN entitlement_group g ON g.id = m.entitlement_group_id
            WHERE m.entitlement_id = ANY(\(ids))
            ORDER BY g.slug
            """,
            as: (UUID, UUID, String, String).self,
            logger: logger
        )
        return Dictionary(grouping: rows, by: \.0).mapValues { members in
            members.map { EntitlementGroupSummary(id: $0.1.lowercased, name: $0.2, slug: $0.3) }
        }
    }
}
