import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /licenses/{licenseSlug}/entitlements/{entitlementSlug}`: what the license grants of one entitlement.
enum GetLicenseEntitlement {
    static let requiredScope = Scope.read(.licenses)

    static func register(on router: RouterGroup<KaitenRequestContext>, module: LicensesModule) {
        router.get("/licenses/:licenseSlug/entitlements/:entitlementSlug") { _, context in
            try JSONResponse.make(
                try await module.entitlement(
                    licenseSlug: try context.parameters.path("licenseSlug"),
                    entitlementSlug: try context.parameters.path("entitlementSlug"),
                    caller: try context.organizationCaller()
                )
            )
        }
    }
}

extension LicensesModule {
    func entitlement(licenseSlug: String, entitlementSlug: String, caller: OrganizationCaller) async throws -> LicenseEntitlementResource {
        try caller.require(GetLicenseEntitlement.requiredScope)
        guard
            let grant = try await GrantRows.find(
                licenseSlug: licenseSlug,
                entitlementSlug: entitlementSlug,
                organizationID: caller.organizationID,
                on: database.client,
                logger: database.logger
            )
        else {
            throw APIError.notFound("GetLicenseEntitlement.NotFound", "License entitlement not found")
        }
        return grant
    }
}
