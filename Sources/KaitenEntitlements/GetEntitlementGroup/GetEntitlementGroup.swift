import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /entitlement-groups/{entitlementGroupSlug}`.
enum GetEntitlementGroup {
    static let operation = APIOperation("get-entitlement-group", .get, "/entitlement-groups/{entitlementGroupSlug}")
    static let requiredScope = Scope.read(.entitlements)

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.getGroup(slug: try context.parameters.path("entitlementGroupSlug"), caller: try context.organizationCaller())
            )
        }
    }
}

extension EntitlementsModule {
    func getGroup(slug: String, caller: OrganizationCaller) async throws -> EntitlementGroupResource {
        try caller.require(GetEntitlementGroup.requiredScope)
        guard
            let group = try await EntitlementGroupRows.find(
                slug: slug, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw APIError.notFound("GetEntitlementGroup.NotFound", "Entitlement group with slug \"\(slug)\" not found")
        }
        return group
    }
}
