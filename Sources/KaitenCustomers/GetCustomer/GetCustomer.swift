import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /customers/{customerSlug}`. Another organization's customer is not found, never forbidden.
package enum GetCustomer {
    static let operation = APIOperation("get-customer", .get, "/customers/{customerSlug}")
    static let requiredScope = Scope.read(.customers)

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(try await module.get(slug: try context.parameters.path("customerSlug"), caller: try context.organizationCaller()))
        }
    }
}

extension CustomersModule {
    package func get(slug: String, caller: OrganizationCaller) async throws -> CustomerResource {
        try caller.require(GetCustomer.requiredScope)
        guard
            let customer = try await CustomerRows.find(
                slug: slug, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw APIError.notFound("GetCustomer.NotFound", "customer \"\(slug)\" not found")
        }
        return customer
    }
}
