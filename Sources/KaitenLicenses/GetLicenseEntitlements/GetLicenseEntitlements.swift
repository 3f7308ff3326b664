import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /licenses/{licenseSlug}/entitlements`: the license's grants, newest first, each with the groups its
/// entitlement belongs to.
enum GetLicenseEntitlements {
    static let operation = APIOperation("get-license-entitlements", .get, "/licenses/{licenseSlug}/entitlements")
    static let requiredScope = Scope.read(.licenses)

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(
                try await module.entitlements(
                    licenseSlug: try context.parameters.path("licenseSlug"),
                    page: try request.pageRequest(),
                    caller: try context.organizationCaller()
                )
            )
        }
    }
}

extension LicensesModule {
    func entitlements(licenseSlug: String, page: PageRequest, caller: OrganizationCaller) async throws -> Page<LicenseEntitlementResource> {
        try caller.require(GetLicenseEntitlements.requiredScope)
        let organizationID = caller.organizationID
        guard
            let license = try await LicenseRows.find(slug: licenseSlug, organizationID: organizationID, on: database, logger: database.logger)
        else {
            throw APIError.notFound("GetLicenseEntitlements.LicenseNotFound", "License with slug \(licenseSlug) not found")
        }
        var grants = try await GrantRows.fetch(
            """
            \(unescaped: GrantRows.selection)
            WHERE le.organization_id = \(organizationID) AND le.license_id = \(UUID(uuidString: license.id)!)
              AND \(rowsAfter: page, in: "le")
            """,
            on: database,
            logger: database.logger
        )
        let groups = try await GrantRows.groups(
            of: grants.map(\.entitlementID), organizationID: organizationID, on: database, logger: database.logger)
        for index in grants.indices {
            grants[index].entitlementGroups = groups[grants[index].entitlementID]
        }
        // The grant row's id breaks ties in the cursor: the resource has no id of its own.
        return Page(rows: grants, request: page) { PageCursor(createdAt: $0.createdAt, id: $0.rowID) }
    }
}
