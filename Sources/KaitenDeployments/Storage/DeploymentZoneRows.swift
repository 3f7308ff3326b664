import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads deployment zones with their current release and the names of who created and last updated them.
enum DeploymentZoneRows: OrganizationRows {
    static let alias = "dz"
    /// The current release is the one of the zone's newest deployment; `seq` orders deployments recorded at the
    /// same instant.
    static let selection = """
        SELECT dz.id, dz.name, dz.slug, dz.type, dz.description, dz.metadata::text, latest.release_id,
               COALESCE(dz.created_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), creator.name, dz.created_at,
               COALESCE(dz.updated_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), updater.name, dz.updated_at
        FROM deployment_zone dz
        LEFT JOIN LATERAL (
            SELECT d.release_id FROM deployment d
            WHERE d.deployment_zone_id = dz.id
            ORDER BY d.created_at DESC, d.seq DESC
            LIMIT 1
        ) latest ON true
        LEFT JOIN "user" creator ON creator.id = dz.created_by_id
        LEFT JOIN "user" updater ON updater.id = dz.updated_by_id
        """

    typealias Columns = (UUID, String, String, String, String, String, UUID?, UUID, String?, Date, UUID, String?, Date)

    /// Decodes the zones of a query that starts with `selection`.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [DeploymentZoneResource] {
        try await executor.all(query, as: Columns.self, logger: logger).map { row in
            var metadata: [String: JSONValue] = [:]
            if case .object(let members)? = try? JSONValue.parse(Array(row.5.utf8)) { metadata = members }
            return DeploymentZoneResource(
                id: row.0.lowercased,
                name: row.1,
                slug: row.2,
                type: row.3,
                description: row.4,
                metadata: metadata,
                releaseId: row.6?.lowercased,
                createdBy: UserReference(id: row.7, name: row.8),
                createdAt: row.9,
                updatedBy: UserReference(id: row.10, name: row.11),
                updatedAt: row.12
            )
        }
    }

    /// The organization's zone with this slug, locked for the rest of the transaction when `forUpdate`.
    static func find(
        slug: String, organizationID: UUID, forUpdate: Bool = false, on executor: some SQLExecutor, logger: Logger
    ) async throws -> DeploymentZoneResource? {
        try await fetch(
            """
            \(unescaped: selection) WHERE dz.organization_id = \(organizationID) AND dz.slug = \(slug)
            \(unescaped: forUpdate ? "FOR UPDATE OF dz" : "")
            """,
            on: executor,
            logger: logger
        ).first
    }

    /// The zone with this id, as a write just left it.
    static func get(id: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> DeploymentZoneResource {
        try await fetch("\(unescaped: selection) WHERE dz.id = \(id)", on: executor, logger: logger)[0]
    }
}

/// The zones' append-only deployment log.
enum DeploymentLog {
    /// Records that the zone now runs the release and writes RELEASE_DEPLOYED, in the caller's transaction.
    /// A release that is not the organization's is a 404, as Kaiten reports it.
    static func record(
        zoneID: UUID, releaseID: UUID, caller: OrganizationCaller, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let row: (UUID, UUID, String?, Date)
        do {
            row = try await connection.first(
                """
                WITH inserted AS (
                    INSERT INTO deployment (organization_id, deployment_zone_id, release_id, created_by_id)
                    VALUES (\(caller.organizationID), \(zoneID), \(releaseID), \(caller.userID))
                    RETURNING id, created_by_id, created_at
                )
                SELECT i.id, COALESCE(i.created_by_id, '\(unescaped: DeterministicIdentifiers.systemUserID.lowercased)'::uuid), u.name, i.created_at
                FROM inserted i LEFT JOIN "user" u ON u.id = i.created_by_id
                """,
                as: (UUID, UUID, String?, Date).self,
                logger: logger
            )!
        } catch let error where PostgresFailure(error)?.constraint == "deployment_release_fkey" {
            throw APIError.notFound("CreateDeployment.ReleaseNotFound", "Release with ID \(releaseID.lowercased) was not found")
        }
        let deployment = DeploymentResource(
            id: row.0.lowercased,
            deploymentZoneId: zoneID.lowercased,
            releaseId: releaseID.lowercased,
            createdBy: UserReference(id: row.1, name: row.2),
            createdAt: row.3
        )
        try await Outbox.append(
            OutboxMessage(organizationID: caller.organizationID, event: DeploymentZoneEvents.releaseDeployed, data: deployment),
            on: connection,
            logger: logger
        )
    }
}

/// The writable fields of a zone, shared by create and the full-replacement update.
struct DeploymentZoneFields {
    let name: String
    let type: String
    let description: String
    let metadata: [String: JSONValue]
    let releaseID: UUID?
    let slug: String?

    init(reading reader: inout JSONObjectReader) {
        name = reader.string("name", required: true, minLength: 1, maxLength: 255) ?? ""
        type = reader.string("type", required: true, maxLength: 255) ?? ""
        description = reader.string("description", required: true, maxLength: 10_000) ?? ""
        metadata = reader.object("metadata") ?? [:]
        releaseID = reader.identifier("releaseId")
        slug = reader.slug()
    }
}
