import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /platform/organizations/{orgId}/tokens`: mints an ordinary `ksh_` token for `system:kaiten` in one
/// organization.
///
/// A platform credential never acts inside a tenant itself; it delegates a subset of its own scopes to a
/// token it mints there. The token records its parent, so revoking the platform credential revokes it too.
enum MintOrganizationToken {
    static let operation = APIOperation("mint-organization-token", .post, "/platform/organizations/{orgId}/tokens")
    static let requiredScope = Scope.write(.tokens)

    struct Command {
        let name: String
        let scopes: [Scope]?
        let lifetime: TimeInterval?

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            let name = reader.string("name", required: true, minLength: 1, maxLength: 255)
            let scopeTexts = reader.stringArray("scopes", nullable: true, maxItems: 64)
            let ttl = reader.string("ttl", maxLength: 64)
            try reader.finish()
            self.name = name!
            scopes = try scopeTexts.flatMap { $0.isEmpty ? nil : try RequestedScopes.parse($0, invalidCode: "MintOrganizationToken.InvalidScopes") }
            if let ttl {
                let seconds: TimeInterval
                do {
                    seconds = try GoDuration.parse(ttl)
                } catch .outOfRange {
                    // Go's own limit (about 292 years); a longer lifetime cannot be added to a date either.
                    throw APIError.unprocessable(
                        "MintOrganizationToken.TTLOutOfRange",
                        "ttl must not exceed \(Int(GoDuration.maximumSeconds / 3600))h",
                        errors: [
                            ErrorDetail(
                                message: "expected duration <= \(Int(GoDuration.maximumSeconds / 3600))h", location: "body.ttl", value: .string(ttl))
                        ]
                    )
                } catch {
                    seconds = 0
                }
                guard seconds > 0 else {
                    throw APIError.validation("MintOrganizationToken.InvalidTTL", "ttl must be a positive duration such as \"15m\" or \"24h\"")
                }
                lifetime = seconds
            } else {
                lifetime = nil
            }
        }
    }

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let token = try await module.mintOrganizationToken(
                organization: try context.parameters.path("orgId"),
                command,
                caller: try context.platformCaller()
            )
            return try JSONResponse.make(token, status: .created)
        }
    }
}

extension IdentityModule {
    func mintOrganizationToken(
        organization: String, _ command: MintOrganizationToken.Command, caller: PlatformCaller
    ) async throws -> PlainTokenResource {
        try caller.require(MintOrganizationToken.requiredScope)
        let organizationID = try await PlatformTarget.existingOrganization(organization, operation: "MintOrganizationToken", database: database)
        let scopes = command.scopes ?? caller.scopes
        guard caller.scopes.grantsAll(scopes) else {
            throw APIError.forbidden(
                "MintOrganizationToken.ScopesExceedCredential",
                "the requested scopes are not all held by the calling platform credential"
            )
        }
        return try await mintSystemToken(
            organizationID: organizationID,
            name: command.name,
            scopes: scopes,
            expiresAt: command.lifetime.map { Date().addingTimeInterval($0) },
            parent: caller.tokenID
        )
    }

    /// Mints a `system:kaiten` token in an organization and records `SYSTEM_ORGANIZATION_TOKEN_ISSUED`, in one
    /// transaction per slug attempt.
    func mintSystemToken(organizationID: UUID, name: String, scopes: [Scope], expiresAt: Date?, parent: UUID) async throws -> PlainTokenResource {
        let secret = SecretToken.generate(.organization)
        let system = DeterministicIdentifiers.systemUserID
        let scopeTexts = scopes.map(\.description)
        do {
            let metadata = try await SlugAttempts.run(
                given: nil, base: "system-kaiten", conflictCode: "MintOrganizationToken.SlugConflict", constraint: "token_slug"
            ) { slug in
                try await database.transaction { connection in
                    let membership = try await connection.first(
                        """
                        SELECT user_id FROM user_on_organization
                        WHERE organization_id = \(organizationID) AND user_id = \(system) AND deleted_at IS NULL
                        """,
                        as: UUID.self,
                        logger: database.logger
                    )
                    guard membership != nil else {
                        throw APIError.conflict(
                            "MintOrganizationToken.SystemMembershipMissing", "the platform identity has no membership in this organization")
                    }
                    let id = try await connection.first(
                        """
                        INSERT INTO token (kind, organization_id, service_account_id, name, slug, lookup_hash, scopes, created_by,
                                           expires_at, issued_by_platform_token_id)
                        VALUES ('organization', \(organizationID), \(system), \(name), \(slug), \(secret.digest), \(scopeTexts),
                                \(system), \(expiresAt), \(parent))
                        RETURNING id
                        """,
                        as: UUID.self,
                        logger: database.logger
                    )!
                    let token = try await TokenRows.fetch(
                        "\(unescaped: TokenRows.selection) WHERE t.id = \(id)", on: connection, logger: database.logger)[0]
                    let issuance = SystemTokenIssuance(
                        credentialKind: "platform",
                        platformTokenId: parent.lowercased,
                        issuedTokenId: token.id,
                        name: token.name,
                        slug: token.slug,
                        scopes: token.scopes,
                        expiresAt: token.expiresAt,
                        issuedAt: token.createdAt
                    )
                    try await Outbox.append(
                        OutboxMessage(organizationID: organizationID, event: IdentityEvents.systemOrganizationTokenIssued, data: issuance),
                        on: connection,
                        logger: database.logger
                    )
                    return token
                }
            }
            return PlainTokenResource(metadata: metadata, token: secret.plaintext)
        } catch let error where PostgresFailure(error)?.constraint == "token_name" {
            throw APIError.conflict(
                "MintOrganizationToken.NameConflict", "an active token of the platform identity is already named \"\(name)\" here")
        }
    }
}
