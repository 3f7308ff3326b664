import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /licenses/{licenseSlug}/entitlements`: the license grants an entitlement a value, shaped by the
/// entitlement's type. Answers 204, as the contract says.
package enum AssociateEntitlementWithLicense {
    static let operation = APIOperation("associate-entitlement-with-license", .post, "/licenses/{licenseSlug}/entitlements")
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
            try await module.associateEntitlement(
                licenseSlug: try context.parameters.path("licenseSlug"), command, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension LicensesModule {
    package func associateEntitlement(
        licenseSlug: String, _ command: AssociateEntitlementWithLicense.Command, caller: OrganizationCaller
    ) async throws {
        try caller.require(AssociateEntitlementWithLicense.requiredScope)
        let grant = command.grant
        let entitlementSlug = grant.entitlementSlug ?? ""
        let organizationID = caller.organizationID
        let logger = database.logger
        try await database.transaction { connection in
            guard
                let entitlement = try await EntitlementRow.find(slug: entitlementSlug, organizationID: organizationID, on: connection, logger: logger)
            else {
                throw APIError.notFound("AssociateEntitlementToLicense.EntitlementNotFound", "Entitlement with slug \(entitlementSlug) not found")
            }
            guard let license = try await LicenseRows.find(slug: licenseSlug, organizationID: organizationID, on: connection, logger: logger) else {
                throw APIError.notFound("AssociateEntitlementToLicense.LicenseNotFound", "License with slug \(licenseSlug) not found")
            }
            let terms = try GrantTerms(
                value: grant.value,
                overagePercent: grant.overagePercent,
                entitlementType: entitlement.type,
                operation: "AssociateEntitlementToLicense"
            )
            let id: UUID
            do {
                id = try await connection.first(
                    """
                    INSERT INTO license_entitlement (organization_id, license_id, entitlement_id, value, limit_cap_exceeded_overage_percent,
                                                     created_by_id, updated_by_id)
                    VALUES (\(organizationID), \(UUID(uuidString: license.id)!), \(entitlement.id), \(terms.value.json.jsonText)::jsonb,
                            \(terms.overagePercent.map { Int16($0) }), \(caller.userID), \(caller.userID))
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: logger
                )!
            } catch  where PostgresFailure(error)?.isUniqueViolation == true {
                throw APIError.conflict(
                    "AssociateEntitlementToLicense.AlreadyAssociated",
                    "Entitlement \"\(entitlementSlug)\" is already associated with license \"\(licenseSlug)\""
                )
            }
            let assigned = try await GrantRows.find(id: id, on: connection, logger: logger)
            try await Outbox.append(
                OutboxMessage(organizationID: organizationID, event: LicenseEvents.entitlementAssigned, data: assigned),
                on: connection,
                logger: logger
            )
        }
    }
}
