import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /deployment-zones/{deploymentZoneSlug}`.
enum GetDeploymentZoneBySlug {
    static let operation = APIOperation("get-deployment-zone-by-slug", .get, "/deployment-zones/{deploymentZoneSlug}")
    static let requiredScope = Scope.read(.deploymentZones)

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.getDeploymentZone(slug: try context.parameters.path("deploymentZoneSlug"), caller: try context.organizationCaller()))
        }
    }
}

extension DeploymentsModule {
    package func getDeploymentZone(slug: String, caller: OrganizationCaller) async throws -> DeploymentZoneResource {
        try caller.require(GetDeploymentZoneBySlug.requiredScope)
        guard
            let zone = try await DeploymentZoneRows.find(
                slug: slug, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw APIError.notFound("DeploymentZone.NotFound", "Deployment zone with slug \"\(slug)\" not found")
        }
        return zone
    }
}
