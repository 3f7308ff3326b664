import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /components`: newest first, one page at a time.
enum ListComponents {
    static let operation = APIOperation("list-components", .get, "/components")
    static let requiredScope = Scope.read(.components)

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.listComponents(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension DeploymentsModule {
    func listComponents(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<ComponentResource> {
        try caller.require(ListComponents.requiredScope)
        let components = try await ComponentRows.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: components, request: page)
    }
}
