import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /platform/organizations/{orgId}/memberships/{userId}`: removes one membership (soft delete, so
/// just-in-time provisioning never brings it back). The `system:kaiten` membership cannot be removed.
enum DeleteMembership {
    static let operation = APIOperation("delete-membership", .delete, "/platform/organizations/{orgId}/memberships/{userId}")
    static let requiredScope = Scope.delete(.memberships)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { _, context in
            try await module.deleteMembership(
                organization: try context.parameters.path("orgId"),
                user: try context.parameters.path("userId"),
                caller: try context.platformCaller()
            )
            return JSONResponse.noContent
        }
    }
}

extension IdentityModule {
    func deleteMembership(organization: String, user: String, caller: PlatformCaller) async throws {
        try caller.require(DeleteMembership.requiredScope)
        let organizationID = try PlatformTarget.uuid(organization, parameter: "orgId")
        let userID = try PlatformTarget.uuid(user, parameter: "userId")
        if userID == DeterministicIdentifiers.systemUserID {
            throw APIError.forbidden("DeleteMembership.SystemMembership", "the system:kaiten membership cannot be removed")
        }
        let removed = try await database.first(
            """
            UPDATE user_on_organization SET deleted_at = now()
            WHERE organization_id = \(organizationID) AND user_id = \(userID) AND deleted_at IS NULL
            RETURNING user_id
            """,
            as: UUID.self,
            logger: database.logger
        )
        guard removed != nil else {
            throw APIError.notFound(
                "DeleteMembership.NotFound", "user \(userID.lowercased) has no membership in organization \(organizationID.lowercased)")
        }
    }
}
