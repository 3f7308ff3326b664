import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /platform/organizations/{orgId}/tokens/{tokenSlug}`: revokes a token this platform credential
/// minted. Another credential's tokens are not found.
enum RevokeOrganizationToken {
    static let operation = APIOperation("revoke-organization-token", .delete, "/platform/organizations/{orgId}/tokens/{tokenSlug}")
    static let requiredScope = Scope.write(.tokens)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { _, context in
            try await module.revokeOrganizationToken(
                organization: try context.parameters.path("orgId"),
                slug: try context.parameters.path("tokenSlug"),
                caller: try context.platformCaller()
            )
            return JSONResponse.noContent
        }
    }
}

extension IdentityModule {
    func revokeOrganizationToken(organization: String, slug: String, caller: PlatformCaller) async throws {
        try caller.require(RevokeOrganizationToken.requiredScope)
        let organizationID = try await PlatformTarget.existingOrganization(organization, operation: "RevokeOrganizationToken", database: database)
        let revoked = try await database.first(
            """
            UPDATE token SET revoked_date = now(), revoked_by = \(DeterministicIdentifiers.systemUserID)
            WHERE organization_id = \(organizationID) AND slug = \(slug) AND issued_by_platform_token_id = \(caller.tokenID)
              AND revoked_date IS NULL
            RETURNING id
            """,
            as: UUID.self,
            logger: database.logger
        )
        guard revoked != nil else {
            throw APIError.notFound("RevokeOrganizationToken.NotFound", "no active token \"\(slug)\" minted by this credential")
        }
    }
}
