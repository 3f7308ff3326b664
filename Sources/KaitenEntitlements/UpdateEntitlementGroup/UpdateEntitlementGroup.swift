import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /entitlement-groups/{entitlementGroupSlug}`: replaces the name and the description (cleared when
/// null); the slug cannot change.
enum UpdateEntitlementGroup {
    static let operation = APIOperation("update-entitlement-group", .put, "/entitlement-groups/{entitlementGroupSlug}")
    static let requiredScope = Scope.write(.entitlements)

    struct Command {
        let fields: EntitlementGroupFields

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = EntitlementGroupFields(reading: &reader)
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            try await module.updateGroup(slug: try context.parameters.path("entitlementGroupSlug"), command, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension EntitlementsModule {
    func updateGroup(slug: String, _ command: UpdateEntitlementGroup.Command, caller: OrganizationCaller) async throws {
        try caller.require(UpdateEntitlementGroup.requiredScope)
        let fields = command.fields
        if let newSlug = fields.slug, newSlug != slug {
            throw APIError.unprocessable(
                "UpdateEntitlementGroup.SlugNotRenameable",
                "slug cannot be changed through this endpoint; omit it or send the current slug"
            )
        }
        try await database.transaction { connection in
            guard
                let group = try await EntitlementGroupRows.fetch(
                    """
                    UPDATE entitlement_group SET name = \(fields.name), description = \(fields.description), updated_at = now()
                    WHERE organization_id = \(caller.organizationID) AND slug = \(slug)
                    \(unescaped: EntitlementGroupRows.returning)
                    """,
                    on: connection,
                    logger: database.logger
                ).first
            else {
                throw APIError.notFound("UpdateEntitlementGroup.NotFound", "Entitlement group with slug \"\(slug)\" not found")
            }
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: EntitlementGroupEvents.updated, data: group),
                on: connection,
                logger: database.logger
            )
        }
    }
}
