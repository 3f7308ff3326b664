import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /service-accounts`: the organization's service accounts, newest first, one page at a time.
enum GetServiceAccounts {
    static let operation = APIOperation("get-service-accounts", .get, "/service-accounts")
    static let requiredScope = Scope.read(.tokens)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { request, context in
            let page = try await module.listServiceAccounts(try request.pageRequest(), caller: try context.organizationCaller())
            return try JSONResponse.make(page)
        }
    }
}

extension IdentityModule {
    func listServiceAccounts(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<ServiceAccountResource> {
        try caller.require(GetServiceAccounts.requiredScope)
        let accounts = try await ServiceAccountRows.fetch(
            """
            \(unescaped: ServiceAccountRows.selection)
            WHERE sa.organization_id = \(caller.organizationID) AND sa.type = 'machine' AND sa.deleted_at IS NULL
              AND \(rowsAfter: page, in: "sa")
            """,
            on: database,
            logger: database.logger
        )
        return Page(rows: accounts, request: page)
    }
}
