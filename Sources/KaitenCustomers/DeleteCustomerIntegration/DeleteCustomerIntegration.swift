import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /customers/{customerSlug}/integrations/{integrationName}`: unlinks the customer from the adapter.
enum DeleteCustomerIntegration {
    static let operation = APIOperation("delete-customer-integration", .delete, "/customers/{customerSlug}/integrations/{integrationName}")
    static let requiredScope = Scope.write(.customers)

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { _, context in
            try await module.deleteIntegration(
                customerSlug: try context.parameters.path("customerSlug"),
                integrationName: try context.parameters.decodedPath("integrationName"),
                caller: try context.organizationCaller()
            )
            return JSONResponse.noContent
        }
    }
}

extension CustomersModule {
    func deleteIntegration(customerSlug: String, integrationName: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteCustomerIntegration.requiredScope)
        let operation = "DeleteCustomerIntegration"
        let adapter = try IntegrationAdapter.name(integrationName, invalidCode: "\(operation).InvalidIntegrationName")
        try await database.transaction { connection in
            let customer = try await CustomerRows.id(
                slug: customerSlug, organizationID: caller.organizationID, notFoundCode: "\(operation).CustomerNotFound",
                on: connection, logger: database.logger
            )
            try await IntegrationLinks.customers.remove(
                adapter: adapter, owner: customer, operation: operation, ownerDescription: "customer \"\(customerSlug)\"",
                on: connection, logger: database.logger
            )
        }
    }
}
