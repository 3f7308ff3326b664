import Foundation
import KaitenCore
import PostgresNIO

/// Platform credentials (`ksm_`), issued and revoked by operators (`kaiten platform-token`, `kaiten dev`),
/// never over HTTP.
extension IdentityModule {
    package struct IssuedPlatformToken: Sendable {
        package let id: UUID
        package let slug: String
        package let plaintext: String
    }

    /// Issues a platform credential holding `scopes`.
    package func createPlatformToken(name: String, scopes: [Scope], expiresAt: Date? = nil) async throws -> IssuedPlatformToken {
        let secret = SecretToken.generate(.platform)
        let scopeTexts = scopes.map(\.description)
        let system = DeterministicIdentifiers.systemUserID
        let base = Slug.base(from: name)
        do {
            return try await SlugAttempts.run(
                given: nil, base: base, conflictCode: "CreatePlatformToken.SlugConflict", constraint: "token_platform_slug"
            ) { slug in
                let id = try await database.first(
                    """
                    INSERT INTO token (kind, service_account_id, name, slug, lookup_hash, scopes, created_by, expires_at)
                    VALUES ('platform', \(system), \(name), \(slug), \(secret.digest), \(scopeTexts), \(system), \(expiresAt))
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )!
                return IssuedPlatformToken(id: id, slug: slug, plaintext: secret.plaintext)
            }
        } catch let error where PostgresFailure(error)?.constraint == "token_platform_name" {
            throw APIError.conflict("CreatePlatformToken.NameConflict", "an active platform credential is already named \"\(name)\"")
        }
    }

    /// Revokes a platform credential and, in the same transaction, every token it minted.
    /// - Returns: how many tokens it minted were revoked with it.
    @discardableResult
    package func revokePlatformToken(slug: String) async throws -> Int {
        try await database.transaction { connection in
            guard
                let id = try await connection.first(
                    """
                    UPDATE token SET revoked_date = now(), revoked_by = \(DeterministicIdentifiers.systemUserID)
                    WHERE kind = 'platform' AND slug = \(slug) AND revoked_date IS NULL RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )
            else {
                throw APIError.notFound("RevokePlatformToken.NotFound", "no active platform credential \"\(slug)\"")
            }
            let cascaded = try await connection.all(
                """
                UPDATE token SET revoked_date = now(), revoked_by = \(DeterministicIdentifiers.systemUserID)
                WHERE issued_by_platform_token_id = \(id) AND revoked_date IS NULL RETURNING id
                """,
                as: UUID.self,
                logger: database.logger
            )
            return cascaded.count
        }
    }

    /// Whether a plaintext platform credential is still active; `kaiten dev` uses it to reuse saved credentials.
    package func isActivePlatformToken(_ plaintext: String) async throws -> Bool {
        try await database.first(
            "SELECT id FROM token WHERE lookup_hash = \(SecretToken(plaintext: plaintext).digest) AND kind = 'platform' AND revoked_date IS NULL",
            as: UUID.self,
            logger: database.logger
        ) != nil
    }

    /// Mints an organization token for `system:kaiten`, as the Platform API does, on behalf of an operator.
    package func mintBootstrapToken(organizationID: UUID, name: String, scopes: [Scope], parent: UUID) async throws -> PlainTokenResource {
        try await mintSystemToken(organizationID: organizationID, name: name, scopes: scopes, expiresAt: nil, parent: parent)
    }

    /// Whether an organization token is still active.
    package func isActiveOrganizationToken(_ plaintext: String) async throws -> Bool {
        try await Authenticator(database: database, jwtVerifier: nil).organizationToken(SecretToken(plaintext: plaintext)) != nil
    }
}
