import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /service-accounts/{serviceAccountSlug}`: renames an account. Its slug is immutable.
enum UpdateServiceAccount {
    static let operation = APIOperation("update-service-account", .put, "/service-accounts/{serviceAccountSlug}")
    static let requiredScope = Scope.write(.tokens)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { request, context in
            let command = try ServiceAccountCommand(body: try await request.jsonBody())
            try await module.updateServiceAccount(
                slug: try context.parameters.path("serviceAccountSlug"),
                command,
                caller: try context.organizationCaller()
            )
            return JSONResponse.noContent
        }
    }
}

extension IdentityModule {
    func updateServiceAccount(slug: String, _ command: ServiceAccountCommand, caller: OrganizationCaller) async throws {
        try caller.require(UpdateServiceAccount.requiredScope)
        if let newSlug = command.slug, newSlug != slug {
            throw APIError.unprocessable(
                "UpdateServiceAccount.SlugNotRenameable",
                "a service account's slug cannot be changed; omit it or send the current slug"
            )
        }
        let updated = try await database.first(
            """
            UPDATE "user" SET name = \(command.name)
            WHERE organization_id = \(caller.organizationID) AND type = 'machine' AND slug = \(slug) AND deleted_at IS NULL
            RETURNING id
            """,
            as: UUID.self,
            logger: database.logger
        )
        guard updated != nil else {
            throw APIError.notFound("UpdateServiceAccount.NotFound", "service account \"\(slug)\" not found")
        }
    }
}
