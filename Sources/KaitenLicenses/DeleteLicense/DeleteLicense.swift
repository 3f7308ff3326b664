import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /licenses/{licenseSlug}`. A version still on an instance or granting an entitlement stays. The
/// family's last version takes the family with it, freeing its slug; its number is never handed out again.
enum DeleteLicense {
    static let operation = APIOperation("delete-license", .delete, "/licenses/{licenseSlug}")
    static let requiredScope = Scope.write(.licenses)

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { _, context in
            try await module.delete(slug: try context.parameters.path("licenseSlug"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension LicensesModule {
    package func delete(slug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteLicense.requiredScope)
        let organizationID = caller.organizationID
        let logger = database.logger
        try await database.transaction { connection in
            // Locked before the version goes, the family cannot gain a version between the count below and
            // its own deletion: a create waiting on the lock finds no family afterwards.
            guard let familyID = try await LicenseFamilies.lock(ofLicense: slug, organizationID: organizationID, on: connection, logger: logger)
            else {
                throw APIError.notFound("DeleteLicense.NotFound", "License with slug \"\(slug)\" not found")
            }
            let watch = try await FamilyWatch.begin(familyID: familyID, organizationID: organizationID, on: connection, logger: logger)
            let familyBefore = try await LicenseFamilies.view(of: familyID, organizationID: organizationID, on: connection, logger: logger)
            let deleted: LicenseResource
            do {
                deleted = try await LicenseRows.fetch(
                    "DELETE FROM license l WHERE l.organization_id = \(organizationID) AND l.slug = \(slug) RETURNING \(unescaped: LicenseRows.columns)",
                    on: connection,
                    logger: logger
                )[0]
            } catch  where PostgresFailure(error)?.isStillReferenced == true {
                throw APIError.conflict(
                    "DeleteLicense.InUseConflict",
                    "License with slug \"\(slug)\" is still referenced by an instance or an entitlement and cannot be deleted"
                )
            }
            let familyDeleted =
                try await connection.first(
                    """
                    DELETE FROM license_family f
                    WHERE f.organization_id = \(organizationID) AND f.id = \(familyID)
                      AND NOT EXISTS (SELECT 1 FROM license l WHERE l.family_id = f.id)
                    RETURNING f.id
                    """,
                    as: UUID.self,
                    logger: logger
                ) != nil
            try await Outbox.append(
                OutboxMessage(organizationID: organizationID, event: LicenseEvents.deleted, data: deleted),
                on: connection,
                logger: logger
            )
            if familyDeleted {
                try await Outbox.append(
                    OutboxMessage(organizationID: organizationID, event: LicenseEvents.familyDeleted, data: familyBefore),
                    on: connection,
                    logger: logger
                )
            } else {
                try await watch.recordMove(on: connection, logger: logger)
            }
        }
    }
}
