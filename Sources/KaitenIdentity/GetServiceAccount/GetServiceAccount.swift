import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /service-accounts/{serviceAccountSlug}`.
enum GetServiceAccount {
    static let operation = APIOperation("get-service-account", .get, "/service-accounts/{serviceAccountSlug}")
    static let requiredScope = Scope.read(.tokens)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { _, context in
            let account = try await module.getServiceAccount(
                slug: try context.parameters.path("serviceAccountSlug"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(account)
        }
    }
}

extension IdentityModule {
    func getServiceAccount(slug: String, caller: OrganizationCaller) async throws -> ServiceAccountResource {
        try caller.require(GetServiceAccount.requiredScope)
        let accounts = try await ServiceAccountRows.fetch(
            """
            \(unescaped: ServiceAccountRows.selection)
            WHERE sa.organization_id = \(caller.organizationID) AND sa.type = 'machine' AND sa.slug = \(slug) AND sa.deleted_at IS NULL
            """,
            on: database,
            logger: database.logger
        )
        guard let account = accounts.first else {
            throw APIError.notFound("GetServiceAccount.NotFound", "service account \"\(slug)\" not found")
        }
        return account
    }
}
