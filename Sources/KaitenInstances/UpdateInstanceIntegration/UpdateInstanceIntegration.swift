import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /instances/{instanceSlug}/integrations/{integrationName}`: replaces the instance's existing link to
/// the adapter and answers it, stamped as synchronized now.
enum UpdateInstanceIntegration {
    static let operation = APIOperation("update-instance-integration", .put, "/instances/{instanceSlug}/integrations/{integrationName}")
    static let requiredScope = Scope.write(.instances)

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { request, context in
            let input = try IntegrationLinkInput.body(try await request.jsonBody())
            let link = try await module.updateIntegration(
                input,
                instanceSlug: try context.parameters.path("instanceSlug"),
                integrationName: try context.parameters.decodedPath("integrationName"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(link)
        }
    }
}

extension InstancesModule {
    func updateIntegration(
        _ input: IntegrationLinkInput, instanceSlug: String, integrationName: String, caller: OrganizationCaller
    ) async throws -> IntegrationLink {
        try caller.require(UpdateInstanceIntegration.requiredScope)
        let operation = "UpdateInstanceIntegration"
        let adapter = try IntegrationAdapter.name(integrationName, invalidCode: "\(operation).InvalidIntegrationName")
        return try await database.transaction { connection in
            let instance = try await InstanceRows.id(
                slug: instanceSlug, organizationID: caller.organizationID, notFoundCode: "\(operation).InstanceNotFound",
                on: connection, logger: database.logger
            )
            return try await IntegrationLinks.instances.replace(
                input, adapter: adapter, owner: instance, organizationID: caller.organizationID, operation: operation,
                ownerDescription: "instance \"\(instanceSlug)\"", on: connection, logger: database.logger
            )
        }
    }
}
