import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// The console's sign-in sessions.
///
/// A browser holds a random secret in a cookie and the server keeps only its digest, with the organization,
/// user and credential it stands for. The session never outlives its credential: one opened with a `ksh_`
/// token reads the token's scopes at every request and ends when the token is revoked or expires, on every
/// replica at once; one opened with a JWT keeps the JWT's scopes until the JWT's expiry. Either ends when the
/// user leaves the organization, and after ``lifetime`` at the latest.
package struct BrowserSessions: Sendable {
    /// The longest a session lasts, whatever its credential.
    package static let lifetime: Duration = .seconds(12 * 60 * 60)
    /// How long a one-time sign-in link stays redeemable.
    package static let signInLinkLifetime: Duration = .seconds(24 * 60 * 60)

    /// A session just opened: the cookie's value and when the session ends.
    package struct Opened: Sendable {
        package let secret: String
        package let expiresAt: Date
    }

    let database: Database

    package init(database: Database) {
        self.database = database
    }

    /// Opens a session for a caller the ``Authenticator`` just authenticated.
    package func open(for caller: OrganizationCaller) async throws -> Opened {
        let secret = Self.newSecret()
        let tokenID: UUID? =
            switch caller.credential {
            case .token(let id): id
            case .jwt: nil
            }
        let scopes = tokenID == nil ? caller.scopes.map(\.description) : []
        let expiresAt = try await database.transaction { connection in
            // Sessions past their end are removed as new ones open, so the table holds only live ones.
            try await connection.execute("DELETE FROM console_session WHERE expires_at <= now()", logger: database.logger)
            return try await connection.first(
                """
                INSERT INTO console_session (secret_digest, organization_id, user_id, token_id, scopes, expires_at)
                VALUES (\(secret.digest), \(caller.organizationID), \(caller.userID), \(tokenID), \(scopes),
                        LEAST(now() + make_interval(secs => \(Self.lifetime.seconds)), \(caller.expiresAt)))
                RETURNING expires_at
                """,
                as: Date.self,
                logger: database.logger
            )!
        }
        return Opened(secret: secret.plaintext, expiresAt: expiresAt)
    }

    /// The caller a session cookie stands for, or nil when the session is unknown, over, or its credential no
    /// longer holds. A prepared statement: every console request runs it.
    package func caller(secret: String) async throws -> OrganizationCaller? {
        let statement = SessionCallerStatement(digest: SecretToken(plaintext: secret).digest)
        guard let row = try await database.rows(statement, logger: database.logger).first else { return nil }
        return OrganizationCaller(
            organizationID: row.0,
            organizationExternalID: row.1,
            userID: row.2,
            userName: row.3,
            scopes: row.4.compactMap(Scope.init(parsing:)),
            credential: row.5.map(OrganizationCaller.Credential.token) ?? .jwt,
            expiresAt: row.6
        )
    }

    /// Ends a session (sign-out). Ending an unknown session does nothing.
    package func close(secret: String) async throws {
        try await database.execute(
            "DELETE FROM console_session WHERE secret_digest = \(SecretToken(plaintext: secret).digest)", logger: database.logger)
    }

    /// A one-time link secret that opens a session for an organization token when redeemed.
    package func signInLink(forToken tokenID: UUID) async throws -> String {
        let secret = Self.newSecret()
        try await database.execute(
            """
            INSERT INTO console_sign_in_link (secret_digest, token_id, expires_at)
            VALUES (\(secret.digest), \(tokenID), now() + make_interval(secs => \(Self.signInLinkLifetime.seconds)))
            """,
            logger: database.logger
        )
        return secret.plaintext
    }

    /// Redeems a one-time link: the link is gone afterwards, and the session it opens lasts no longer than its
    /// token. Nil when the link is unknown, used, past its end, or its token no longer works.
    package func redeem(signInLink: String) async throws -> Opened? {
        let session = Self.newSecret()
        let expiresAt = try await database.first(
            """
            WITH link AS (
                DELETE FROM console_sign_in_link
                WHERE secret_digest = \(SecretToken(plaintext: signInLink).digest) AND expires_at > now()
                RETURNING token_id
            )
            INSERT INTO console_session (secret_digest, organization_id, user_id, token_id, expires_at)
            SELECT \(session.digest), t.organization_id, t.service_account_id, t.id,
                   LEAST(now() + make_interval(secs => \(Self.lifetime.seconds)), t.expires_at)
            FROM link JOIN token t ON t.id = link.token_id
            WHERE t.revoked_date IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
            RETURNING expires_at
            """,
            as: Date.self,
            logger: database.logger
        )
        return expiresAt.map { Opened(secret: session.plaintext, expiresAt: $0) }
    }

    /// 32 random bytes, URL-safe: as strong as a token, and never stored in clear.
    private static func newSecret() -> SecretToken {
        var generator = SystemRandomNumberGenerator()
        return SecretToken(plaintext: base64URL((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }
}

/// A live session's caller: the session joined to its organization, its user's membership and, for a token
/// session, the token, which must still be active.
private struct SessionCallerStatement: PostgresPreparedStatement {
    typealias Row = (UUID, String, UUID, String, [String], UUID?, Date?)

    static let sql = """
        SELECT s.organization_id, o.external_id, s.user_id, u.name, COALESCE(t.scopes, s.scopes), s.token_id,
               LEAST(s.expires_at, t.expires_at)
        FROM console_session s
        JOIN organization o ON o.id = s.organization_id
        JOIN "user" u ON u.id = s.user_id AND u.deleted_at IS NULL
        JOIN user_on_organization m ON m.organization_id = s.organization_id AND m.user_id = s.user_id AND m.deleted_at IS NULL
        LEFT JOIN token t ON t.id = s.token_id
        WHERE s.secret_digest = $1 AND s.expires_at > now()
          AND (s.token_id IS NULL OR (t.revoked_date IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())))
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
