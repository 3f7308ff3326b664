import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /releases`: newest first, one page at a time, each release with its components.
enum ListReleases {
    static let operation = APIOperation("list-releases", .get, "/releases")
    static let requiredScope = Scope.read(.releases)

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.listReleases(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension DeploymentsModule {
    func listReleases(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<ReleaseResource> {
        try caller.require(ListReleases.requiredScope)
        let releases = try await ReleaseRows.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: releases, request: page)
    }
}
