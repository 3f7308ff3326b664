import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /service-accounts/{serviceAccountSlug}/tokens`: issues a `ksh_` token; its secret is in this
/// response and nowhere else.
package enum CreateServiceAccountToken {
    static let operation = APIOperation("create-service-account-token", .post, "/service-accounts/{serviceAccountSlug}/tokens")
    static let requiredScope = Scope.write(.tokens)

    package struct Command {
        let name: String
        let slug: String?
        let scopes: [Scope]
        let expiresAt: Date?

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            let name = reader.string("name", required: true, minLength: 1, maxLength: 255)
            slug = reader.slug()
            // Required by the contract, and nullable: the SDK sends null when no scopes are named.
            let scopeTexts = reader.stringArray("scopes", required: true, nullable: true, maxItems: 64)
            expiresAt = reader.timestamp("expiresAt")
            try reader.finish()
            self.name = name!
            scopes = try RequestedScopes.parse(scopeTexts ?? [], invalidCode: "Token.InvalidScopes")
        }
    }

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let token = try await module.createToken(
                serviceAccountSlug: try context.parameters.path("serviceAccountSlug"),
                command,
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(token, status: .created)
        }
    }
}

extension IdentityModule {
    package func createToken(
        serviceAccountSlug: String, _ command: CreateServiceAccountToken.Command, caller: OrganizationCaller
    ) async throws -> PlainTokenResource {
        try caller.require(CreateServiceAccountToken.requiredScope)
        // A credential can delegate what it holds, never more: otherwise write:tokens alone would mint write:*.
        guard caller.scopes.grantsAll(command.scopes) else {
            throw APIError.forbidden("CreateToken.ScopesExceedCredential", "the requested scopes are not all held by the calling credential")
        }
        if let expiresAt = command.expiresAt, expiresAt <= Date() {
            throw APIError.validation("CreateToken.InvalidExpiry", "expiresAt must be in the future")
        }
        guard
            let accountID = try await ServiceAccountRows.id(
                slug: serviceAccountSlug, organizationID: caller.organizationID, on: database, logger: database.logger
            )
        else {
            throw APIError.notFound("CreateToken.ServiceAccountNotFound", "service account \"\(serviceAccountSlug)\" not found")
        }
        let secret = SecretToken.generate(.organization)
        let scopes = command.scopes.map(\.description)
        do {
            let metadata = try await SlugAttempts.run(
                given: command.slug, base: command.name, conflictCode: "CreateToken.SlugConflict", constraint: "token_slug"
            ) { slug in
                let id = try await database.first(
                    """
                    INSERT INTO token (kind, organization_id, service_account_id, name, slug, lookup_hash, scopes, created_by, expires_at)
                    VALUES ('organization', \(caller.organizationID), \(accountID), \(command.name), \(slug), \(secret.digest),
                            \(scopes), \(caller.userID), \(command.expiresAt))
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )!
                return try await TokenRows.fetch(
                    "\(unescaped: TokenRows.selection) WHERE t.id = \(id)", on: database, logger: database.logger)[0]
            }
            return PlainTokenResource(metadata: metadata, token: secret.plaintext)
        } catch let error where PostgresFailure(error)?.constraint == "token_name" {
            throw APIError.conflict("CreateToken.NameConflict", "an active token of this service account is already named \"\(command.name)\"")
        }
    }
}
