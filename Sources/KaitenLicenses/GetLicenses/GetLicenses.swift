import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /licenses`: every version of every family, newest first, one page at a time.
enum GetLicenses {
    static let operation = APIOperation("get-licenses", .get, "/licenses")
    static let requiredScope = Scope.read(.licenses)

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.list(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension LicensesModule {
    func list(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<LicenseResource> {
        try caller.require(GetLicenses.requiredScope)
        let licenses = try await LicenseRows.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: licenses, request: page)
    }
}
