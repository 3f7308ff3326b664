import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /customers/{customerSlug}/integrations/{integrationName}`: replaces the customer's existing link to
/// the adapter and answers it, stamped as synchronized now.
enum UpdateCustomerIntegration {
    static let operation = APIOperation("update-customer-integration", .put, "/customers/{customerSlug}/integrations/{integrationName}")
    static let requiredScope = Scope.write(.customers)

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { request, context in
            let input = try IntegrationLinkInput.body(try await request.jsonBody())
            let link = try await module.updateIntegration(
                input,
                customerSlug: try context.parameters.path("customerSlug"),
                integrationName: try context.parameters.decodedPath("integrationName"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(link)
        }
    }
}

extension CustomersModule {
    func updateIntegration(
        _ input: IntegrationLinkInput, customerSlug: String, integrationName: String, caller: OrganizationCaller
    ) async throws -> IntegrationLink {
        try caller.require(UpdateCustomerIntegration.requiredScope)
        let operation = "UpdateCustomerIntegration"
        let adapter = try IntegrationAdapter.name(integrationName, invalidCode: "\(operation).InvalidIntegrationName")
        return try await database.transaction { connection in
            let customer = try await CustomerRows.id(
                slug: customerSlug, organizationID: caller.organizationID, notFoundCode: "\(operation).CustomerNotFound",
                on: connection, logger: database.logger
            )
            return try await IntegrationLinks.customers.replace(
                input, adapter: adapter, owner: customer, organizationID: caller.organizationID, operation: operation,
                ownerDescription: "customer \"\(customerSlug)\"", on: connection, logger: database.logger
            )
        }
    }
}
