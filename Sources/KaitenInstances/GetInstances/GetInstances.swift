import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /instances`: newest first, one page at a time.
enum GetInstances {
    static let operation = APIOperation("getInstances", .get, "/instances")
    static let requiredScope = Scope.read(.instances)

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.list(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension InstancesModule {
    func list(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<InstanceResource> {
        try caller.require(GetInstances.requiredScope)
        let instances = try await InstanceRows.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: instances, request: page)
    }
}
