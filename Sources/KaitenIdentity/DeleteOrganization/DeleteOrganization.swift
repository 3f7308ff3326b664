import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /platform/organizations/{orgId}`: deletes an organization and, by cascade, everything it owns.
enum DeleteOrganization {
    static let operation = APIOperation("delete-organization", .delete, "/platform/organizations/{orgId}")
    static let requiredScope = Scope.delete(.organizations)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { _, context in
            try await module.deleteOrganization(try context.parameters.path("orgId"), caller: try context.platformCaller())
            return JSONResponse.noContent
        }
    }
}

extension IdentityModule {
    func deleteOrganization(_ idText: String, caller: PlatformCaller) async throws {
        try caller.require(DeleteOrganization.requiredScope)
        let id = try PlatformTarget.uuid(idText, parameter: "orgId")
        let deleted = try await database.first(
            "DELETE FROM organization WHERE id = \(id) RETURNING id", as: UUID.self, logger: database.logger
        )
        guard deleted != nil else { throw APIError.notFound("DeleteOrganization.NotFound", "organization \(id.lowercased) not found") }
    }
}
