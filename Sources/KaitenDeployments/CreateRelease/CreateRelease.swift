import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /releases`. The components a release is created with are the ones it holds for good.
package enum CreateRelease {
    static let operation = APIOperation("create-release", .post, "/releases")
    static let requiredScope = Scope.write(.releases)

    package struct Command {
        let version: String
        let slug: String?
        let description: String?
        /// Without repeats, in the order first sent.
        let componentIDs: [UUID]

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            version = reader.string("version", required: true, minLength: 1, maxLength: 100) ?? ""
            slug = reader.slug()
            description = reader.string("description", maxLength: 500)
            var seen: Set<UUID> = []
            componentIDs = (reader.identifiers("componentIds", nullable: true) ?? []).filter { seen.insert($0).inserted }
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let release = try await module.createRelease(command, caller: try context.organizationCaller())
            return try JSONResponse.make(release, status: .created)
        }
    }
}

extension DeploymentsModule {
    package func createRelease(_ command: CreateRelease.Command, caller: OrganizationCaller) async throws -> ReleaseResource {
        try caller.require(CreateRelease.requiredScope)
        do {
            return try await SlugAttempts.run(
                given: command.slug,
                base: command.version,
                conflictCode: "CreateRelease.SlugConflict",
                constraint: "release_organization_id_slug_key"
            ) { slug in
                try await database.transaction { connection in
                    // Key-share locks keep the components from being deleted before they are linked.
                    let known = try await connection.all(
                        """
                        SELECT id FROM component WHERE organization_id = \(caller.organizationID) AND id = ANY(\(command.componentIDs))
                        FOR KEY SHARE
                        """,
                        as: UUID.self,
                        logger: database.logger
                    )
                    if let missing = command.componentIDs.first(where: { !known.contains($0) }) {
                        throw APIError.notFound("Component.NotFound", "Component with ID \(missing.lowercased) not found")
                    }
                    let id = try await connection.first(
                        """
                        INSERT INTO release (organization_id, version, slug, description, created_by_id)
                        VALUES (\(caller.organizationID), \(command.version), \(slug), \(command.description), \(caller.userID))
                        RETURNING id
                        """,
                        as: UUID.self,
                        logger: database.logger
                    )!
                    try await connection.execute(
                        """
                        INSERT INTO component_release (component_id, release_id, organization_id)
                        SELECT component_id, \(id), \(caller.organizationID) FROM unnest(\(command.componentIDs)::uuid[]) AS component_id
                        """,
                        logger: database.logger
                    )
                    let release = try await ReleaseRows.fetch(
                        "\(unescaped: ReleaseRows.selection) WHERE r.id = \(id)", on: connection, logger: database.logger)[0]
                    try await Outbox.append(
                        OutboxMessage(organizationID: caller.organizationID, event: ReleaseEvents.created, data: release),
                        on: connection,
                        logger: database.logger
                    )
                    return release
                }
            }
        } catch let error where PostgresFailure(error)?.constraint == "release_version_unique" {
            throw APIError.conflict(
                "CreateRelease.VersionConflict", "Release with version \"\(command.version)\" already exists in this organization")
        }
    }
}
