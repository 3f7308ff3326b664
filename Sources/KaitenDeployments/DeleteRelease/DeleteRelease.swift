import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /releases/{releaseSlug}`. A release the deployment log names is kept (409): the log is append-only
/// and the zone's history must keep reading. The event carries the release, components included, as it was.
enum DeleteRelease {
    static let operation = APIOperation("delete-release", .delete, "/releases/{releaseSlug}")
    static let requiredScope = Scope.write(.releases)

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { _, context in
            try await module.deleteRelease(slug: try context.parameters.path("releaseSlug"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension DeploymentsModule {
    package func deleteRelease(slug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteRelease.requiredScope)
        try await database.transaction { connection in
            guard
                let release = try await ReleaseRows.find(
                    slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger)
            else {
                throw APIError.notFound("DeleteRelease.NotFound", "Release with slug \"\(slug)\" not found")
            }
            let id = UUID(uuidString: release.id)!
            let isDeployed =
                try await connection.first(
                    "SELECT EXISTS (SELECT 1 FROM deployment WHERE release_id = \(id))", as: Bool.self, logger: database.logger) ?? false
            guard !isDeployed else {
                throw APIError.conflict(
                    "DeleteRelease.InUseConflict", "Release with slug \"\(slug)\" is deployed to a zone and cannot be deleted")
            }
            // The release's component links go with it (ON DELETE CASCADE); the components stay.
            try await connection.execute("DELETE FROM release WHERE id = \(id)", logger: database.logger)
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: ReleaseEvents.deleted, data: release),
                on: connection,
                logger: database.logger
            )
        }
    }
}
