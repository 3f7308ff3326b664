import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /deployment-zones`: newest first, one page at a time, each zone with its current release.
enum ListDeploymentZones {
    static let operation = APIOperation("list-deployment-zones", .get, "/deployment-zones")
    static let requiredScope = Scope.read(.deploymentZones)

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.listDeploymentZones(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension DeploymentsModule {
    func listDeploymentZones(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<DeploymentZoneResource> {
        try caller.require(ListDeploymentZones.requiredScope)
        let zones = try await DeploymentZoneRows.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: zones, request: page)
    }
}
