import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Turns an `Authorization` header into a caller, for either listener.
///
/// The Core API accepts organization credentials: `ksh_` tokens (looked up by digest on every request, so a
/// revocation takes effect at once on every replica) and JWTs, which provision their user, organization
/// and membership just in time. The Platform API accepts only `ksm_` platform credentials. Each refuses the
/// other's credentials with 403 `Auth.WrongCredentialKind`.
package struct Authenticator: Sendable {
    let database: Database
    let jwtVerifier: JWTVerifier?

    package init(database: Database, jwtVerifier: JWTVerifier?) {
        self.database = database
        self.jwtVerifier = jwtVerifier
    }

    /// The bearer credential of an `Authorization` header value.
    static func bearer(_ header: String?) throws -> String {
        guard let header else {
            throw APIError.unauthorized("Auth.MissingAuthorizationHeader", "the Authorization header is missing")
        }
        let prefix = "Bearer "
        guard header.count > prefix.count, header.lowercased().hasPrefix(prefix.lowercased()) else {
            throw APIError.unauthorized("Auth.UnknownAuthorizationHeader", "the Authorization header must be \"Bearer <token>\"")
        }
        return header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
    }

    package func authenticateOrganization(authorization: String?) async throws -> OrganizationCaller {
        let credential = try Self.bearer(authorization)
        let secret = SecretToken(plaintext: credential)
        switch secret.kind {
        case .platform:
            throw APIError.wrongCredentialKind
        case .organization:
            guard let caller = try await organizationToken(secret) else {
                throw APIError.unauthorized("Auth.InvalidToken", "invalid token")
            }
            return caller
        case nil:
            guard let jwtVerifier else {
                throw APIError.unauthorized("Auth.InvalidToken", "JWT authentication is not configured on this server")
            }
            let claims = try jwtVerifier.verify(credential)
            return try await JustInTimeProvisioning(database: database).provision(claims)
        }
    }

    package func authenticatePlatform(authorization: String?) async throws -> PlatformCaller {
        let credential = try Self.bearer(authorization)
        let secret = SecretToken(plaintext: credential)
        guard secret.kind == .platform else { throw APIError.wrongCredentialKind }
        let row = try await database.first(
            """
            SELECT id, name, slug, scopes, created_at, expires_at FROM token
            WHERE lookup_hash = \(secret.digest) AND kind = 'platform' AND revoked_date IS NULL
              AND (expires_at IS NULL OR expires_at > now())
            """,
            as: (UUID, String, String, [String], Date, Date?).self,
            logger: database.logger
        )
        guard let row else { throw APIError.unauthorized("Auth.InvalidPlatformToken", "Invalid platform token") }
        return PlatformCaller(
            tokenID: row.0,
            name: row.1,
            slug: row.2,
            scopes: row.3.compactMap(Scope.init(parsing:)),
            createdAt: row.4,
            expiresAt: row.5
        )
    }

    /// The caller an active `ksh_` token authenticates, or nil. A prepared statement: every request runs it,
    /// and planning its joins would cost more than running them.
    func organizationToken(_ secret: SecretToken) async throws -> OrganizationCaller? {
        guard let row = try await database.rows(OrganizationTokenStatement(digest: secret.digest), logger: database.logger).first else { return nil }
        return OrganizationCaller(
            organizationID: row.1,
            organizationExternalID: row.2,
            userID: row.3,
            userName: row.4,
            scopes: row.5.compactMap(Scope.init(parsing:)),
            credential: .token(row.0),
            expiresAt: row.6
        )
    }
}

/// An active organization token by the digest of its secret, with what the caller it authenticates needs.
private struct OrganizationTokenStatement: PostgresPreparedStatement {
    typealias Row = (UUID, UUID, String, UUID, String, [String], Date?)

    static let sql = """
        SELECT t.id, t.organization_id, o.external_id, t.service_account_id, u.name, t.scopes, t.expires_at
        FROM token t
        JOIN organization o ON o.id = t.organization_id
        JOIN "user" u ON u.id = t.service_account_id AND u.deleted_at IS NULL
        JOIN user_on_organization m ON m.organization_id = t.organization_id AND m.user_id = u.id AND m.deleted_at IS NULL
        WHERE t.lookup_hash = $1 AND t.kind = 'organization' AND t.revoked_date IS NULL
          AND (t.expires_at IS NULL OR t.expires_at > now())
        """
    static let bindingDataTypes: [PostgresDataType] = [.text]

    let digest: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(digest)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
