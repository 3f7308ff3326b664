import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /entitlements`: newest first, one page at a time.
enum ListEntitlements {
    static let operation = APIOperation("list-entitlements", .get, "/entitlements")
    static let requiredScope = Scope.read(.entitlements)

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.list(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension EntitlementsModule {
    func list(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<EntitlementResource> {
        try caller.require(ListEntitlements.requiredScope)
        let entitlements = try await EntitlementRows.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: entitlements, request: page)
    }
}
