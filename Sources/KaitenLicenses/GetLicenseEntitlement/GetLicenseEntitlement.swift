import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /licenses/{licenseSlug}/entitlements/{entitlementSlug}`: what the license grants of one entitlement.
enum GetLicenseEntitlement {
    static let operation = APIOperation("get-license-entitlement", .get, "/licenses/{licenseSlug}/entitlements/{entitlementSlug}")
    static let requiredScope = Scope.read(.licenses)

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { _, context in
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
                on: database,
                logger: database.logger
            )
        else {
            throw APIError.notFound("GetLicenseEntitlement.NotFound", "License entitlement not found")
        }
        return grant
    }
}
