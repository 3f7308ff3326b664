import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /entitlement-groups`: newest first, one page at a time.
enum ListEntitlementGroups {
    static let operation = APIOperation("list-entitlement-groups", .get, "/entitlement-groups")
    static let requiredScope = Scope.read(.entitlements)

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.listGroups(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension EntitlementsModule {
    func listGroups(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<EntitlementGroupResource> {
        try caller.require(ListEntitlementGroups.requiredScope)
        let groups = try await EntitlementGroupRows.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: groups, request: page)
    }
}
