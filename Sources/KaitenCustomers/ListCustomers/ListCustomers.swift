import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /customers`: newest first, one page at a time.
enum ListCustomers {
    static let operation = APIOperation("list-customers", .get, "/customers")
    static let requiredScope = Scope.read(.customers)

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.list(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension CustomersModule {
    func list(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<CustomerResource> {
        try caller.require(ListCustomers.requiredScope)
        let customers = try await CustomerRows.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: customers, request: page)
    }
}
