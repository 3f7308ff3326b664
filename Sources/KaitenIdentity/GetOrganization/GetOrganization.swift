import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /platform/organizations/{orgId}`.
enum GetOrganization {
    static let operation = APIOperation("get-organization", .get, "/platform/organizations/{orgId}")
    static let requiredScope = Scope.read(.organizations)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { _, context in
            let organization = try await module.getOrganization(try context.parameters.path("orgId"), caller: try context.platformCaller())
            return try JSONResponse.make(organization)
        }
    }
}

extension IdentityModule {
    func getOrganization(_ idText: String, caller: PlatformCaller) async throws -> OrganizationResource {
        try caller.require(GetOrganization.requiredScope)
        let id = try PlatformTarget.uuid(idText, parameter: "orgId")
        guard
            let row = try await database.first(
                "SELECT id, external_id, name FROM organization WHERE id = \(id)", as: (UUID, String, String).self, logger: database.logger
            )
        else {
            throw APIError.notFound("GetOrganization.NotFound", "organization \(id.lowercased) not found")
        }
        return OrganizationResource(id: row.0.lowercased, externalID: row.1, name: row.2)
    }
}
