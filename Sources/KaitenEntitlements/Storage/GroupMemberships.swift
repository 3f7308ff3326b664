import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Group memberships by slug, as `groupSlugs` and the membership operations name them.
enum GroupMemberships {
    /// Kaiten's normal form of `groupSlugs`: trimmed, blanks dropped, de-duplicated and sorted.
    static func normalize(_ slugs: [String]) -> [String] {
        Set(slugs.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }).sorted()
    }

    /// Links the entitlement to the organization's group `groupSlug`; false when there is no such group.
    static func link(entitlementID: UUID, groupSlug: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> Bool
    {
        try await executor.first(
            """
            INSERT INTO entitlement_group_membership (entitlement_group_id, entitlement_id, organization_id)
            SELECT g.id, \(entitlementID), g.organization_id FROM entitlement_group g
            WHERE g.organization_id = \(organizationID) AND g.slug = \(groupSlug)
            RETURNING 1
            """,
            as: Int.self,
            logger: logger
        ) != nil
    }

    /// The ids of the organization's group and entitlement named by slug.
    ///
    /// - Throws: 404 `<operation>.GroupNotFound` or `<operation>.EntitlementNotFound`.
    static func resolve(
        groupSlug: String,
        entitlementSlug: String,
        organizationID: UUID,
        operation: String,
        on executor: some SQLExecutor,
        logger: Logger
    ) async throws -> (group: UUID, entitlement: UUID) {
        let row = try await executor.first(
            """
            SELECT (SELECT id FROM entitlement_group WHERE organization_id = \(organizationID) AND slug = \(groupSlug)),
                   (SELECT id FROM entitlement WHERE organization_id = \(organizationID) AND slug = \(entitlementSlug))
            """,
            as: (UUID?, UUID?).self,
            logger: logger
        )
        guard let group = row?.0 else {
            throw APIError.notFound("\(operation).GroupNotFound", "Entitlement group with slug \"\(groupSlug)\" not found")
        }
        guard let entitlement = row?.1 else {
            throw APIError.notFound("\(operation).EntitlementNotFound", "Entitlement with slug \"\(entitlementSlug)\" not found")
        }
        return (group, entitlement)
    }
}
