import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /instances/{instanceSlug}/integrations/{integrationName}`: the instance's link to one adapter.
enum GetInstanceIntegration {
    static let operation = APIOperation("get-instance-integration", .get, "/instances/{instanceSlug}/integrations/{integrationName}")
    static let requiredScope = Scope.read(.instances)

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { _, context in
            let link = try await module.integration(
                instanceSlug: try context.parameters.path("instanceSlug"),
                integrationName: try context.parameters.decodedPath("integrationName"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(link)
        }
    }
}

extension InstancesModule {
    func integration(instanceSlug: String, integrationName: String, caller: OrganizationCaller) async throws -> IntegrationLink {
        try caller.require(GetInstanceIntegration.requiredScope)
        let adapter = try IntegrationAdapter.name(integrationName, invalidCode: "GetInstanceIntegration.InvalidIntegrationName")
        let instance = try await InstanceRows.id(
            slug: instanceSlug, organizationID: caller.organizationID, notFoundCode: "GetInstanceIntegration.InstanceNotFound",
            forUpdate: false, on: database, logger: database.logger
        )
        return try await IntegrationLinks.instances.existing(
            of: instance, adapter: adapter, operation: "GetInstanceIntegration", ownerDescription: "instance \"\(instanceSlug)\"",
            on: database, logger: database.logger
        )
    }
}
