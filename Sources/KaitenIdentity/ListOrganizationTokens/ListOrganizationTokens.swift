import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /platform/organizations/{orgId}/tokens`: the active tokens the calling platform credential minted in
/// an organization: the way from a chosen name back to the slug revocation takes.
enum ListOrganizationTokens {
    static let operation = APIOperation("list-organization-tokens", .get, "/platform/organizations/{orgId}/tokens")
    static let requiredScope = Scope.read(.tokens)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { _, context in
            let tokens = try await module.listOrganizationTokens(
                organization: try context.parameters.path("orgId"), caller: try context.platformCaller())
            return try JSONResponse.make(tokens)
        }
    }
}

extension IdentityModule {
    func listOrganizationTokens(organization: String, caller: PlatformCaller) async throws -> [TokenResource] {
        try caller.require(ListOrganizationTokens.requiredScope)
        let organizationID = try await PlatformTarget.existingOrganization(organization, operation: "ListOrganizationTokens", database: database)
        return try await TokenRows.fetch(
            """
            \(unescaped: TokenRows.selection)
            WHERE t.organization_id = \(organizationID) AND t.issued_by_platform_token_id = \(caller.tokenID)
              AND t.revoked_date IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
            ORDER BY t.created_at DESC, t.id DESC
            """,
            on: database,
            logger: database.logger
        )
    }
}
