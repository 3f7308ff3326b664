import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /integration/{adapter}/instance/{externalId}`: the instance linked to a record of a third-party system.
/// The adapter is named without the `kaiten.integration.` prefix (`crm.attio`); an adapter no instance is
/// linked through is simply not found.
enum GetInstanceIntegrationByExternalId {
    static let operation = APIOperation("get-instance-integration-by-external-id", .get, "/integration/{adapter}/instance/{externalId}")
    static let requiredScope = Scope.read(.instances)

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { _, context in
            let resource = try await module.instanceIntegration(
                adapter: try context.parameters.decodedPath("adapter"),
                externalID: try context.parameters.decodedPath("externalId"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(resource)
        }
    }
}

extension InstancesModule {
    func instanceIntegration(
        adapter rawAdapter: String, externalID: String, caller: OrganizationCaller
    ) async throws
        -> InstanceIntegrationResource
    {
        try caller.require(GetInstanceIntegrationByExternalId.requiredScope)
        let adapter = try IntegrationAdapter.qualifiedName(rawAdapter)
        guard
            let resource = try await linkedInstance(
                adapter: adapter, externalID: externalID, organizationID: caller.organizationID, on: database)
        else {
            throw APIError.notFound("Integration.InstanceNotFound", "no instance is linked to \"\(externalID)\" of \"\(adapter)\"")
        }
        return resource
    }

    /// The organization's instance linked to this record of the adapter, as a connector sees it.
    func linkedInstance(
        adapter: String, externalID: String, organizationID: UUID, on executor: some SQLExecutor
    ) async throws -> InstanceIntegrationResource? {
        guard
            let (id, link) = try await IntegrationLinks.instances.owner(
                adapter: adapter, externalID: externalID, organizationID: organizationID, on: executor, logger: database.logger)
        else { return nil }
        let instance = try await InstanceRows.get(id: id, on: executor, logger: database.logger)
        let customerExternalID = try await executor.first(
            """
            SELECT external_id FROM customer_integration
            WHERE customer_id = \(UUID(uuidString: instance.customerId)!) AND adapter = \(adapter)
            """,
            as: String.self,
            logger: database.logger
        )
        return InstanceIntegrationResource(instance: instance, link: link, customerExternalID: customerExternalID)
    }
}
