import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /service-accounts/{serviceAccountSlug}/tokens`: a service account's tokens, revoked ones included,
/// newest first. Never their secrets.
enum GetServiceAccountTokens {
    static let operation = APIOperation("get-service-account-tokens", .get, "/service-accounts/{serviceAccountSlug}/tokens")
    static let requiredScope = Scope.read(.tokens)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { request, context in
            let page = try await module.listTokens(
                serviceAccountSlug: try context.parameters.path("serviceAccountSlug"),
                try request.pageRequest(),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(page)
        }
    }
}

extension IdentityModule {
    func listTokens(serviceAccountSlug: String, _ page: PageRequest, caller: OrganizationCaller) async throws -> Page<TokenResource> {
        try caller.require(GetServiceAccountTokens.requiredScope)
        guard
            let accountID = try await ServiceAccountRows.id(
                slug: serviceAccountSlug, organizationID: caller.organizationID, on: database, logger: database.logger
            )
        else {
            throw APIError.notFound("ListTokens.ServiceAccountNotFound", "service account \"\(serviceAccountSlug)\" not found")
        }
        let tokens = try await TokenRows.fetch(
            """
            \(unescaped: TokenRows.selection)
            WHERE t.service_account_id = \(accountID) AND t.organization_id = \(caller.organizationID)
              AND \(rowsAfter: page, in: "t")
            """,
            on: database,
            logger: database.logger
        )
        return Page(rows: tokens, request: page)
    }
}
