import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /components/{componentSlug}`. A component a release holds stays (409); the event carries the
/// component as it was just before.
enum DeleteComponent {
    static let operation = APIOperation("delete-component", .delete, "/components/{componentSlug}")
    static let requiredScope = Scope.write(.components)

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { _, context in
            try await module.deleteComponent(slug: try context.parameters.path("componentSlug"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension DeploymentsModule {
    func deleteComponent(slug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteComponent.requiredScope)
        try await database.transaction { connection in
            guard
                let component = try await ComponentRows.find(
                    slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger)
            else {
                throw ComponentRows.notFound(slug: slug)
            }
            let id = UUID(uuidString: component.id)!
            let releases = try await ComponentRows.releaseCount(of: id, on: connection, logger: database.logger)
            guard releases == 0 else {
                throw APIError.conflict(
                    "DeleteComponent.LinkedComponentConflict", "Component \"\(slug)\" is linked to \(releases) release(s) and cannot be deleted")
            }
            try await connection.execute("DELETE FROM component WHERE id = \(id)", logger: database.logger)
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: ComponentEvents.deleted, data: component),
                on: connection,
                logger: database.logger
            )
        }
    }
}
