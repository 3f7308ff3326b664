import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /service-accounts`: a new machine identity in the caller's organization.
enum CreateServiceAccount {
    static let operation = APIOperation("create-service-account", .post, "/service-accounts")
    static let requiredScope = Scope.write(.tokens)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { request, context in
            let command = try ServiceAccountCommand(body: try await request.jsonBody())
            let account = try await module.createServiceAccount(command, caller: try context.organizationCaller())
            return try JSONResponse.make(account, status: .created)
        }
    }
}

extension IdentityModule {
    package func createServiceAccount(_ command: ServiceAccountCommand, caller: OrganizationCaller) async throws -> ServiceAccountResource {
        try caller.require(CreateServiceAccount.requiredScope)
        return try await SlugAttempts.run(given: command.slug, base: command.name, conflictCode: "CreateServiceAccount.SlugConflict") { slug in
            try await database.transaction { connection in
                let externalID = "ksa_" + base64URL((0..<24).map { _ in UInt8.random(in: 0...255) })
                let id = try await connection.first(
                    """
                    INSERT INTO "user" (external_id, name, slug, type, organization_id, created_by_id)
                    VALUES (\(externalID), \(command.name), \(slug), 'machine', \(caller.organizationID), \(caller.userID))
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )!
                try await connection.execute(
                    "INSERT INTO user_on_organization (organization_id, user_id) VALUES (\(caller.organizationID), \(id))",
                    logger: database.logger
                )
                return try await ServiceAccountRows.fetch(
                    "\(unescaped: ServiceAccountRows.selection) WHERE sa.id = \(id)",
                    on: connection,
                    logger: database.logger
                )[0]
            }
        }
    }
}
