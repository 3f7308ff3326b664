import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /license-families`: every family, newest first, each with the version it serves. A family with
/// nothing published is listed too, without a current version.
enum ListLicenseFamilies {
    static let operation = APIOperation("list-license-families", .get, "/license-families")
    static let requiredScope = Scope.read(.licenses)

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.families(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension LicensesModule {
    func families(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<LicenseFamilyView> {
        try caller.require(ListLicenseFamilies.requiredScope)
        let families = try await LicenseFamilies.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        let views = try await LicenseFamilies.views(of: families, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: views, request: page)
    }
}
