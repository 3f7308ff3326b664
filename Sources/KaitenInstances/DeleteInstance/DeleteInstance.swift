import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /instances/{instanceSlug}`: permanent, with its usage. The event carries the instance as it was.
package enum DeleteInstance {
    static let operation = APIOperation("deleteInstance", .delete, "/instances/{instanceSlug}")
    static let requiredScope = Scope.write(.instances)

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { _, context in
            try await module.delete(slug: try context.parameters.path("instanceSlug"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension InstancesModule {
    package func delete(slug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteInstance.requiredScope)
        try await database.transaction { connection in
            guard
                let instance = try await InstanceRows.find(
                    slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger
                )
            else {
                throw APIError.notFound("DeleteInstance.NotFound", "Instance with slug \"\(slug)\" not found")
            }
            try await connection.execute("DELETE FROM instance WHERE id = \(UUID(uuidString: instance.id)!)", logger: database.logger)
            try await InstanceRows.record(
                InstanceEvents.deleted, instance, organizationID: caller.organizationID, on: connection, logger: database.logger)
        }
    }
}
