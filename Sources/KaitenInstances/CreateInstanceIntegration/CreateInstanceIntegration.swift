import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /instances/{instanceSlug}/integrations/{integrationName}`: links the instance to a record of an
/// adapter it has no link to yet. A record links to one instance at most.
enum CreateInstanceIntegration {
    static let operation = APIOperation("create-instance-integration", .post, "/instances/{instanceSlug}/integrations/{integrationName}")
    static let requiredScope = Scope.write(.instances)

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { request, context in
            let input = try IntegrationLinkInput.body(try await request.jsonBody())
            let link = try await module.createIntegration(
                input,
                instanceSlug: try context.parameters.path("instanceSlug"),
                integrationName: try context.parameters.decodedPath("integrationName"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(link, status: .created)
        }
    }
}

extension InstancesModule {
    func createIntegration(
        _ input: IntegrationLinkInput, instanceSlug: String, integrationName: String, caller: OrganizationCaller
    ) async throws -> IntegrationLink {
        try caller.require(CreateInstanceIntegration.requiredScope)
        let operation = "CreateInstanceIntegration"
        let adapter = try IntegrationAdapter.name(integrationName, invalidCode: "\(operation).InvalidIntegrationName")
        return try await database.transaction { connection in
            let instance = try await InstanceRows.id(
                slug: instanceSlug, organizationID: caller.organizationID, notFoundCode: "\(operation).InstanceNotFound",
                on: connection, logger: database.logger
            )
            return try await IntegrationLinks.instances.create(
                input, adapter: adapter, owner: instance, organizationID: caller.organizationID, operation: operation,
                ownerDescription: "instance \"\(instanceSlug)\"", on: connection, logger: database.logger
            )
        }
    }
}
