import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /licenses/{licenseSlug}/entitlements/{entitlementSlug}`: replaces the grant's value and overage
/// percent. The entitlement is the path's; a body naming another is refused.
package enum UpdateLicenseEntitlement {
    static let operation = APIOperation("update-license-entitlement", .put, "/licenses/{licenseSlug}/entitlements/{entitlementSlug}")
    static let requiredScope = Scope.write(.licenses)

    package struct Command {
        let grant: GrantBody

        package init(body: JSONValue) throws {
            grant = try GrantBody(body: body)
        }
    }

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            try await module.updateEntitlement(
                licenseSlug: try context.parameters.path("licenseSlug"),
                entitlementSlug: try context.parameters.path("entitlementSlug"),
                command,
                caller: try context.organizationCaller()
            )
            return JSONResponse.noContent
        }
    }
}

extension LicensesModule {
    package func updateEntitlement(
        licenseSlug: String,
        entitlementSlug: String,
        _ command: UpdateLicenseEntitlement.Command,
        caller: OrganizationCaller
    ) async throws {
        try caller.require(UpdateLicenseEntitlement.requiredScope)
        let grant = command.grant
        if let named = grant.entitlementSlug, !named.isEmpty, named != entitlementSlug {
            throw APIError.unprocessable(
                "UpdateLicenseEntitlement.EntitlementSlugMismatch",
                "entitlementSlug cannot be changed through this endpoint; omit it or send the current entitlementSlug"
            )
        }
        let organizationID = caller.organizationID
        let logger = database.logger
        try await database.transaction { connection in
            guard
                let current = try await GrantRows.find(
                    licenseSlug: licenseSlug,
                    entitlementSlug: entitlementSlug,
                    organizationID: organizationID,
                    on: connection,
                    logger: logger
                )
            else {
                throw APIError.notFound(
                    "UpdateLicenseEntitlement.NotFound",
                    "License entitlement not found for license \(licenseSlug) and entitlement \(entitlementSlug)"
                )
            }
            let terms = try GrantTerms(
                value: grant.value,
                overagePercent: grant.overagePercent,
                entitlementType: current.entitlementType,
                operation: "UpdateLicenseEntitlement"
            )
            try await connection.execute(
                """
                UPDATE license_entitlement
                SET value = \(terms.value.json.jsonText)::jsonb, limit_cap_exceeded_overage_percent = \(terms.overagePercent.map { Int16($0) }),
                    updated_by_id = \(caller.userID), updated_at = now()
                WHERE id = \(current.rowID)
                """,
                logger: logger
            )
            let updated = try await GrantRows.find(id: current.rowID, on: connection, logger: logger)
            try await Outbox.append(
                OutboxMessage(organizationID: organizationID, event: LicenseEvents.entitlementUpdated, data: updated),
                on: connection,
                logger: logger
            )
        }
    }
}
