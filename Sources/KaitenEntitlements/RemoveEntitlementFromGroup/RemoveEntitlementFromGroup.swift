import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /entitlement-groups/{entitlementGroupSlug}/entitlements/{entitlementSlug}`.
///
/// Removing an entitlement that is not a member is a no-op (204), as in Kaiten; an unknown group or
/// entitlement is a 404.
enum RemoveEntitlementFromGroup {
    static let operation = APIOperation(
        "remove-entitlement-from-group", .delete, "/entitlement-groups/{entitlementGroupSlug}/entitlements/{entitlementSlug}")
    static let requiredScope = Scope.write(.entitlements)

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { _, context in
            try await module.removeFromGroup(
                groupSlug: try context.parameters.path("entitlementGroupSlug"),
                entitlementSlug: try context.parameters.path("entitlementSlug"),
                caller: try context.organizationCaller()
            )
            return JSONResponse.noContent
        }
    }
}

extension EntitlementsModule {
    func removeFromGroup(groupSlug: String, entitlementSlug: String, caller: OrganizationCaller) async throws {
        try caller.require(RemoveEntitlementFromGroup.requiredScope)
        let (groupID, entitlementID) = try await GroupMemberships.resolve(
            groupSlug: groupSlug,
            entitlementSlug: entitlementSlug,
            organizationID: caller.organizationID,
            operation: "RemoveEntitlementFromGroup",
            on: database,
            logger: database.logger
        )
        try await database.execute(
            "DELETE FROM entitlement_group_membership WHERE entitlement_group_id = \(groupID) AND entitlement_id = \(entitlementID)",
            logger: database.logger
        )
    }
}
