import Foundation
import KaitenCore
import KaitenIdentity
import PostgresNIO

/// The credentials `kaiten dev` hands out, created once and kept in the data directory.
///
/// Secrets are stored only as digests in the database, so the plaintexts are kept in
/// `<data-dir>/credentials.json` (mode 0600) for a second start to reuse. A saved credential that was
/// revoked meanwhile is replaced.
public struct DevelopmentCredentials: Codable, Sendable {
    public static let organizationExternalID = "kaiten-dev"
    public static let organizationName = "Development"

    public var platformToken: String
    public var platformTokenID: UUID
    public var organizationID: UUID
    public var organizationToken: String
    public var jwtSecret: String

    /// Loads the saved credentials, replacing whatever is missing or no longer active.
    static func ensure(in directory: URL, jwtSecret: String, database: Database) async throws -> DevelopmentCredentials {
        let file = directory.appendingPathComponent("credentials.json")
        let saved = (try? Data(contentsOf: file)).flatMap { try? JSONDecoder().decode(DevelopmentCredentials.self, from: $0) }
        let identity = IdentityModule(database: database)
        let organizationID = DeterministicIdentifiers.organizationID(externalID: organizationExternalID)
        try await database.client.query(
            """
            INSERT INTO organization (id, external_id, name) VALUES (\(organizationID), \(organizationExternalID), \(organizationName))
            ON CONFLICT (external_id) DO NOTHING
            """,
            logger: database.logger
        )
        var platformToken = saved?.platformToken
        var platformTokenID = saved?.platformTokenID
        if let token = platformToken, try await identity.isActivePlatformToken(token) {
        } else {
            let issued = try await identity.createPlatformToken(name: "kaiten-dev-\(Slug.generate(from: ""))", scopes: [.writeAll])
            platformToken = issued.plaintext
            platformTokenID = issued.id
        }
        var organizationToken = saved?.organizationToken
        if let token = organizationToken, saved?.platformTokenID == platformTokenID, try await identity.isActiveOrganizationToken(token) {
        } else {
            organizationToken = try await identity.mintBootstrapToken(
                organizationID: organizationID,
                name: "kaiten-dev-\(Slug.generate(from: ""))",
                scopes: [.writeAll],
                parent: platformTokenID!
            ).token
        }
        let credentials = DevelopmentCredentials(
            platformToken: platformToken!,
            platformTokenID: platformTokenID!,
            organizationID: organizationID,
            organizationToken: organizationToken!,
            jwtSecret: saved?.jwtSecret ?? jwtSecret
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(credentials).write(to: file, options: .atomic)
        chmod(file.path, 0o600)
        return credentials
    }

    /// The JWT secret saved by an earlier start, if any; a JWT signed with it stays valid across restarts.
    static func savedJWTSecret(in directory: URL) -> String? {
        let file = directory.appendingPathComponent("credentials.json")
        return (try? Data(contentsOf: file)).flatMap { try? JSONDecoder().decode(DevelopmentCredentials.self, from: $0) }?.jwtSecret
    }
}
