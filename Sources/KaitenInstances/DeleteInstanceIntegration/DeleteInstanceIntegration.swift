import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /instances/{instanceSlug}/integrations/{integrationName}`: unlinks the instance from the adapter.
enum DeleteInstanceIntegration {
    static let operation = APIOperation("delete-instance-integration", .delete, "/instances/{instanceSlug}/integrations/{integrationName}")
    static let requiredScope = Scope.write(.instances)

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { _, context in
            try await module.deleteIntegration(
                instanceSlug: try context.parameters.path("instanceSlug"),
                integrationName: try context.parameters.decodedPath("integrationName"),
                caller: try context.organizationCaller()
            )
            return JSONResponse.noContent
        }
    }
}

extension InstancesModule {
    func deleteIntegration(instanceSlug: String, integrationName: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteInstanceIntegration.requiredScope)
        let operation = "DeleteInstanceIntegration"
        let adapter = try IntegrationAdapter.name(integrationName, invalidCode: "\(operation).InvalidIntegrationName")
        try await database.transaction { connection in
            let instance = try await InstanceRows.id(
                slug: instanceSlug, organizationID: caller.organizationID, notFoundCode: "\(operation).InstanceNotFound",
                on: connection, logger: database.logger
            )
            try await IntegrationLinks.instances.remove(
                adapter: adapter, owner: instance, operation: operation, ownerDescription: "instance \"\(instanceSlug)\"",
                on: connection, logger: database.logger
            )
        }
    }
}
