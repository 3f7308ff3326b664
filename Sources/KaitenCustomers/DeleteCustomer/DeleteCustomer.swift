import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /customers/{customerSlug}`. The event carries the customer as it was just before.
package enum DeleteCustomer {
    static let operation = APIOperation("delete-customer", .delete, "/customers/{customerSlug}")
    static let requiredScope = Scope.write(.customers)

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { _, context in
            try await module.delete(slug: try context.parameters.path("customerSlug"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension CustomersModule {
    package func delete(slug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteCustomer.requiredScope)
        try await database.transaction { connection in
            guard
                let customer = try await CustomerRows.find(
                    slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger
                )
            else {
                throw APIError.notFound("DeleteCustomer.NotFound", "customer \"\(slug)\" not found")
            }
            try await connection.execute("DELETE FROM customer WHERE id = \(UUID(uuidString: customer.id)!)", logger: database.logger)
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: CustomerEvents.deleted, data: customer),
                on: connection,
                logger: database.logger
            )
        }
    }
}
