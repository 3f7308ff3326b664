import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /entitlements`.
package enum CreateEntitlement {
    static let operation = APIOperation("create-entitlement", .post, "/entitlements")
    static let requiredScope = Scope.write(.entitlements)

    package struct Command {
        let fields: EntitlementFields

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = EntitlementFields(reading: &reader)
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let entitlement = try await module.create(command, caller: try context.organizationCaller())
            return try JSONResponse.make(entitlement, status: .created)
        }
    }
}

extension EntitlementsModule {
    package func create(_ command: CreateEntitlement.Command, caller: OrganizationCaller) async throws -> EntitlementResource {
        try caller.require(CreateEntitlement.requiredScope)
        let fields = command.fields
        // The schema leaves `type` optional because the update may omit it; a new entitlement needs one.
        guard let type = fields.type else {
            throw APIError.unprocessable("CreateEntitlement.TypeRequired", "type is required")
        }
        // The number family always aggregates (SUM unless told otherwise); the other types never do, so a
        // method sent with them is dropped rather than refused.
        let aggregationMethod = type.isNumberFamily ? fields.aggregationMethod ?? .sum : nil
        let resetAnchor = fields.resetPeriod == nil ? fields.resetAnchor : fields.resetAnchor ?? .calendar
        try fields.validate(type: type, aggregationMethod: aggregationMethod, resetAnchor: resetAnchor, operation: "CreateEntitlement")
        let groupSlugs = GroupMemberships.normalize(fields.groupSlugs ?? [])

        return try await SlugAttempts.run(
            given: fields.slug,
            base: fields.name,
            conflictCode: "CreateEntitlement.SlugConflict",
            constraint: "entitlement_organization_id_slug_key"
        ) { slug in
            try await database.transaction { connection in
                let id = try await connection.first(
                    """
                    INSERT INTO entitlement (
                        organization_id, name, slug, description, type, aggregation_method, icon,
                        unit_singular, unit_plural, sale_unit_singular, sale_unit_plural, sale_unit_factor,
                        user_facing, display_order, warning_threshold_percent, reset_period, reset_anchor)
                    VALUES (
                        \(caller.organizationID), \(fields.name), \(slug), \(fields.description), \(type.rawValue)::entitlement_type,
                        \(aggregationMethod?.rawValue)::aggregation_method, \(fields.icon),
                        \(fields.unitSingular), \(fields.unitPlural), \(fields.saleUnitSingular), \(fields.saleUnitPlural),
                        \(fields.saleUnitFactor), \(fields.userFacing ?? false), \(fields.displayOrder ?? 0),
                        \(fields.warningThresholdPercent ?? 0), \(fields.resetPeriod?.rawValue)::entitlement_reset_period,
                        \(resetAnchor?.rawValue)::entitlement_reset_anchor)
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )!
                for groupSlug in groupSlugs {
                    guard
                        try await GroupMemberships.link(
                            entitlementID: id, groupSlug: groupSlug, organizationID: caller.organizationID, on: connection, logger: database.logger
                        )
                    else {
                        throw APIError.notFound("CreateEntitlement.GroupNotFound", "Entitlement group with slug \"\(groupSlug)\" not found")
                    }
                }
                let entitlement = try await EntitlementRows.fetch(
                    "\(unescaped: EntitlementRows.selection) WHERE e.id = \(id)", on: connection, logger: database.logger
                )[0]
                try await Outbox.append(
                    OutboxMessage(organizationID: caller.organizationID, event: EntitlementEvents.created, data: entitlement),
                    on: connection,
                    logger: database.logger
                )
                return entitlement
            }
        }
    }
}
