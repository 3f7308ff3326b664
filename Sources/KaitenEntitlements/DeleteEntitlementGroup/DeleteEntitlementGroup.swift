import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /entitlement-groups/{entitlementGroupSlug}`. Its memberships go with it; the entitlements stay.
enum DeleteEntitlementGroup {
    static let operation = APIOperation("delete-entitlement-group", .delete, "/entitlement-groups/{entitlementGroupSlug}")
    static let requiredScope = Scope.write(.entitlements)

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { _, context in
            try await module.deleteGroup(slug: try context.parameters.path("entitlementGroupSlug"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension EntitlementsModule {
    func deleteGroup(slug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteEntitlementGroup.requiredScope)
        try await database.transaction { connection in
            guard
                let group = try await EntitlementGroupRows.fetch(
                    """
                    DELETE FROM entitlement_group WHERE organization_id = \(caller.organizationID) AND slug = \(slug)
                    \(unescaped: EntitlementGroupRows.returning)
                    """,
                    on: connection,
                    logger: database.logger
                ).first
            else {
                throw APIError.notFound("DeleteEntitlementGroup.NotFound", "Entitlement group with slug \"\(slug)\" not found")
            }
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: EntitlementGroupEvents.deleted, data: group),
                on: connection,
                logger: database.logger
            )
        }
    }
}
