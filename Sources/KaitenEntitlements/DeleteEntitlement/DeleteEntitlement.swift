import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /entitlements/{entitlementSlug}`. The event carries the entitlement as it was just before.
///
/// A license grant holds its entitlement (the foreign key restricts), so an entitlement still granted is
/// refused with 409 and the count of grants, rather than taken out from under the licenses.
package enum DeleteEntitlement {
    static let operation = APIOperation("delete-entitlement", .delete, "/entitlements/{entitlementSlug}")
    static let requiredScope = Scope.write(.entitlements)

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { _, context in
            try await module.delete(slug: try context.parameters.path("entitlementSlug"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension EntitlementsModule {
    package func delete(slug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteEntitlement.requiredScope)
        do {
            try await database.transaction { connection in
                guard
                    let entitlement = try await EntitlementRows.find(
                        slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger
                    )
                else {
                    throw APIError.notFound("DeleteEntitlement.NotFound", "Entitlement with slug \"\(slug)\" not found")
                }
                let id = UUID(uuidString: entitlement.id)!
                try await connection.execute("DELETE FROM entitlement WHERE id = \(id)", logger: database.logger)
                try await Outbox.append(
                    OutboxMessage(organizationID: caller.organizationID, event: EntitlementEvents.deleted, data: entitlement),
                    on: connection,
                    logger: database.logger
                )
            }
        } catch  where PostgresFailure(error)?.isForeignKeyViolation == true {
            let grants =
                try await database.first(
                    """
                    SELECT count(*) FROM license_entitlement
                    WHERE entitlement_id IN (SELECT id FROM entitlement WHERE organization_id = \(caller.organizationID) AND slug = \(slug))
                    """,
                    as: Int.self,
                    logger: database.logger
                ) ?? 0
            throw APIError(
                .conflict,
                code: "DeleteEntitlement.InUseConflict",
                detail: "Entitlement \"\(slug)\" is still granted by a license and cannot be deleted",
                errors: [
                    ErrorDetail(
                        message: "what still references the entitlement", location: "entitlement", value: ["licenseGrants": .integer(Int64(grants))])
                ]
            )
        }
    }
}
