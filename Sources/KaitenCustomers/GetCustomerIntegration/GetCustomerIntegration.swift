import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /customers/{customerSlug}/integrations/{integrationName}`: the customer's link to one adapter.
enum GetCustomerIntegration {
    static let operation = APIOperation("get-customer-integration", .get, "/customers/{customerSlug}/integrations/{integrationName}")
    static let requiredScope = Scope.read(.customers)

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { _, context in
            let link = try await module.integration(
                customerSlug: try context.parameters.path("customerSlug"),
                integrationName: try context.parameters.decodedPath("integrationName"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(link)
        }
    }
}

extension CustomersModule {
    func integration(customerSlug: String, integrationName: String, caller: OrganizationCaller) async throws -> IntegrationLink {
        try caller.require(GetCustomerIntegration.requiredScope)
        let adapter = try IntegrationAdapter.name(integrationName, invalidCode: "GetCustomerIntegration.InvalidIntegrationName")
        let customer = try await CustomerRows.id(
            slug: customerSlug, organizationID: caller.organizationID, notFoundCode: "GetCustomerIntegration.CustomerNotFound",
            forUpdate: false, on: database, logger: database.logger
        )
        return try await IntegrationLinks.customers.existing(
            of: customer, adapter: adapter, operation: "GetCustomerIntegration", ownerDescription: "customer \"\(customerSlug)\"",
            on: database, logger: database.logger
        )
    }
}
