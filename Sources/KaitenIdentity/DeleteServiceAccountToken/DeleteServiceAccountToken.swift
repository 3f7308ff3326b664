import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /service-accounts/{serviceAccountSlug}/tokens/{tokenSlug}`: revokes a token. Authentication reads
/// the token's row on every request, so the revocation holds from the commit on, on every replica.
enum DeleteServiceAccountToken {
    static let operation = APIOperation("delete-service-account-token", .delete, "/service-accounts/{serviceAccountSlug}/tokens/{tokenSlug}")
    static let requiredScope = Scope.write(.tokens)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { _, context in
            try await module.deleteToken(
                serviceAccountSlug: try context.parameters.path("serviceAccountSlug"),
                tokenSlug: try context.parameters.path("tokenSlug"),
                caller: try context.organizationCaller()
            )
            return JSONResponse.noContent
        }
    }
}

extension IdentityModule {
    package func deleteToken(serviceAccountSlug: String, tokenSlug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteServiceAccountToken.requiredScope)
        let revoked = try await database.first(
            """
            UPDATE token t SET revoked_date = now(), revoked_by = \(caller.userID)
            FROM "user" sa
            WHERE sa.id = t.service_account_id AND sa.organization_id = \(caller.organizationID) AND sa.type = 'machine'
              AND sa.slug = \(serviceAccountSlug) AND t.organization_id = \(caller.organizationID)
              AND t.slug = \(tokenSlug) AND t.revoked_date IS NULL
            RETURNING t.id
            """,
            as: UUID.self,
            logger: database.logger
        )
        guard revoked != nil else {
            throw APIError.notFound("DeleteToken.NotFound", "no active token \"\(tokenSlug)\" on service account \"\(serviceAccountSlug)\"")
        }
    }
}
