import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /customers/{customerSlug}/integrations/{integrationName}`: links the customer to a record of an
/// adapter it has no link to yet. A record links to one customer at most.
enum CreateCustomerIntegration {
    static let operation = APIOperation("create-customer-integration", .post, "/customers/{customerSlug}/integrations/{integrationName}")
    static let requiredScope = Scope.write(.customers)

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { request, context in
            let input = try IntegrationLinkInput.body(try await request.jsonBody())
            let link = try await module.createIntegration(
                input,
                customerSlug: try context.parameters.path("customerSlug"),
                integrationName: try context.parameters.decodedPath("integrationName"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(link, status: .created)
        }
    }
}

extension CustomersModule {
    func createIntegration(
        _ input: IntegrationLinkInput, customerSlug: String, integrationName: String, caller: OrganizationCaller
    ) async throws -> IntegrationLink {
        try caller.require(CreateCustomerIntegration.requiredScope)
        let operation = "CreateCustomerIntegration"
        let adapter = try IntegrationAdapter.name(integrationName, invalidCode: "\(operation).InvalidIntegrationName")
        return try await database.transaction { connection in
            let customer = try await CustomerRows.id(
                slug: customerSlug, organizationID: caller.organizationID, notFoundCode: "\(operation).CustomerNotFound",
                on: connection, logger: database.logger
            )
            return try await IntegrationLinks.customers.create(
                input, adapter: adapter, owner: customer, organizationID: caller.organizationID, operation: operation,
                ownerDescription: "customer \"\(customerSlug)\"", on: connection, logger: database.logger
            )
        }
    }
}
