import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /platform/users/{id}`: soft-deletes a user everywhere. Rows it created keep their attribution,
/// its tokens stop authenticating, and signing in again does not bring it back.
enum DeleteUser {
    static let operation = APIOperation("delete-user", .delete, "/platform/users/{id}")
    static let requiredScope = Scope.delete(.users)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { _, context in
            try await module.deleteUser(try context.parameters.path("id"), caller: try context.platformCaller())
            return JSONResponse.noContent
        }
    }
}

extension IdentityModule {
    func deleteUser(_ idText: String, caller: PlatformCaller) async throws {
        try caller.require(DeleteUser.requiredScope)
        let id = try PlatformTarget.uuid(idText, parameter: "id")
        if id == DeterministicIdentifiers.systemUserID {
            throw APIError.forbidden("DeleteUser.SystemUser", "the system:kaiten user cannot be deleted")
        }
        let deleted = try await database.first(
            "UPDATE \"user\" SET deleted_at = now() WHERE id = \(id) AND deleted_at IS NULL RETURNING id",
            as: UUID.self,
            logger: database.logger
        )
        guard deleted != nil else { throw APIError.notFound("DeleteUser.NotFound", "user \(id.lowercased) not found") }
    }
}
