import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /licenses/{licenseSlug}/entitlements/{entitlementSlug}`: the license stops granting the
/// entitlement. The event carries the grant as it was.
enum DeleteLicenseEntitlement {
    static let operation = APIOperation("delete-license-entitlement", .delete, "/licenses/{licenseSlug}/entitlements/{entitlementSlug}")
    static let requiredScope = Scope.write(.licenses)

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { _, context in
            try await module.deleteEntitlement(
                licenseSlug: try context.parameters.path("licenseSlug"),
                entitlementSlug: try context.parameters.path("entitlementSlug"),
                caller: try context.organizationCaller()
            )
            return JSONResponse.noContent
        }
    }
}

extension LicensesModule {
    package func deleteEntitlement(licenseSlug: String, entitlementSlug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteLicenseEntitlement.requiredScope)
        let organizationID = caller.organizationID
        let logger = database.logger
        try await database.transaction { connection in
            guard
                let grant = try await GrantRows.find(
                    licenseSlug: licenseSlug,
                    entitlementSlug: entitlementSlug,
                    organizationID: organizationID,
                    on: connection,
                    logger: logger
                )
            else {
                throw APIError.notFound(
                    "DeleteLicenseEntitlement.LicenseEntitlementNotFound",
                    "License entitlement with License slug \(licenseSlug) and Entitlement slug \(entitlementSlug) not found"
                )
            }
            try await connection.execute("DELETE FROM license_entitlement WHERE id = \(grant.rowID)", logger: logger)
            try await Outbox.append(
                OutboxMessage(organizationID: organizationID, event: LicenseEvents.entitlementUnassigned, data: grant),
                on: connection,
                logger: logger
            )
        }
    }
}
