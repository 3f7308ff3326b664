import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /entitlements/{entitlementSlug}`. Another organization's entitlement is not found, never forbidden.
package enum GetEntitlement {
    static let operation = APIOperation("get-entitlement", .get, "/entitlements/{entitlementSlug}")
    static let requiredScope = Scope.read(.entitlements)

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.get(slug: try context.parameters.path("entitlementSlug"), caller: try context.organizationCaller()))
        }
    }
}

extension EntitlementsModule {
    package func get(slug: String, caller: OrganizationCaller) async throws -> EntitlementResource {
        try caller.require(GetEntitlement.requiredScope)
        guard
            let entitlement = try await EntitlementRows.find(
                slug: slug, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw APIError.notFound("GetEntitlement.NotFound", "Entitlement with slug \"\(slug)\" not found")
        }
        return entitlement
    }
}
