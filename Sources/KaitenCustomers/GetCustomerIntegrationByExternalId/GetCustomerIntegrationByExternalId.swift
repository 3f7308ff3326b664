import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /integration/{adapter}/customer/{externalId}`: the customer linked to a record of a third-party system.
/// The adapter is named without the `kaiten.integration.` prefix (`crm.attio`); an adapter no customer is
/// linked through is simply not found.
enum GetCustomerIntegrationByExternalId {
    static let operation = APIOperation("get-customer-integration-by-external-id", .get, "/integration/{adapter}/customer/{externalId}")
    static let requiredScope = Scope.read(.customers)

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { _, context in
            let resource = try await module.customerIntegration(
                adapter: try context.parameters.decodedPath("adapter"),
                externalID: try context.parameters.decodedPath("externalId"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(resource)
        }
    }
}

extension CustomersModule {
    func customerIntegration(
        adapter rawAdapter: String, externalID: String, caller: OrganizationCaller
    ) async throws
        -> CustomerIntegrationResource
    {
        try caller.require(GetCustomerIntegrationByExternalId.requiredScope)
        let adapter = try IntegrationAdapter.qualifiedName(rawAdapter)
        guard
            let (customer, link) = try await linkedCustomer(
                adapter: adapter, externalID: externalID, organizationID: caller.organizationID, on: database)
        else {
            throw APIError.notFound("Integration.CustomerNotFound", "no customer is linked to \"\(externalID)\" of \"\(adapter)\"")
        }
        return CustomerIntegrationResource(customer: customer, link: link)
    }

    /// The organization's customer linked to this record of the adapter, with the link; locked when `forUpdate`.
    func linkedCustomer(
        adapter: String, externalID: String, organizationID: UUID, forUpdate: Bool = false, on executor: some SQLExecutor
    ) async throws -> (CustomerResource, IntegrationLink)? {
        guard
            let (id, link) = try await IntegrationLinks.customers.owner(
                adapter: adapter, externalID: externalID, organizationID: organizationID, on: executor, logger: database.logger)
        else { return nil }
        let customer = try await CustomerRows.fetch(
            "\(unescaped: CustomerRows.selection) WHERE c.id = \(id) \(unescaped: forUpdate ? "FOR UPDATE OF c" : "")",
            on: executor,
            logger: database.logger
        )[0]
        return (customer, link)
    }
}
