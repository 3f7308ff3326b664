import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /entitlements/{entitlementSlug}`: a full replacement of the definition.
///
/// The type and aggregation method are fixed at creation and may only be echoed; the reset period and
/// anchor are one-way doors: free while unset, then fixed, so every later PUT must echo them. `groupSlugs`
/// replaces the memberships when sent and keeps them when absent or null.
package enum UpdateEntitlement {
    static let operation = APIOperation("update-entitlement", .put, "/entitlements/{entitlementSlug}")
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
            try await module.update(slug: try context.parameters.path("entitlementSlug"), command, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension EntitlementsModule {
    package func update(slug: String, _ command: UpdateEntitlement.Command, caller: OrganizationCaller) async throws {
        try caller.require(UpdateEntitlement.requiredScope)
        let fields = command.fields
        if let newSlug = fields.slug, newSlug != slug {
            throw APIError.unprocessable(
                "UpdateEntitlement.SlugNotRenameable",
                "slug cannot be changed through this endpoint; omit it or send the current slug"
            )
        }
        try await database.transaction { connection in
            guard
                let current = try await EntitlementRows.find(
                    slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger
                )
            else {
                throw APIError.notFound("UpdateEntitlement.NotFound", "Entitlement with slug \"\(slug)\" not found")
            }
            let type = EntitlementType(rawValue: current.type)!
            let aggregationMethod = current.aggregationMethod.flatMap(AggregationMethod.init(rawValue:))
            if let requested = fields.type, requested != type {
                throw APIError.validation("UpdateEntitlement.ImmutableType", "type is immutable and cannot be changed after creation")
            }
            if let requested = fields.aggregationMethod, requested != aggregationMethod {
                throw APIError.validation(
                    "UpdateEntitlement.ImmutableAggregationMethod",
                    "aggregationMethod is immutable and cannot be changed after creation"
                )
            }
            // Omitting a configured reset field is an attempt to remove it, refused like a change.
            if let stored = current.resetPeriod, fields.resetPeriod?.rawValue != stored {
                throw APIError.validation(
                    "UpdateEntitlement.ImmutableResetPeriod",
                    "resetPeriod is immutable once configured and cannot be changed or removed"
                )
            }
            if let stored = current.resetAnchor, fields.resetAnchor?.rawValue != stored {
                throw APIError.validation(
                    "UpdateEntitlement.ImmutableResetAnchor",
                    "resetAnchor is immutable once configured and cannot be changed or removed"
                )
            }
            let resetAnchor = fields.resetPeriod == nil ? fields.resetAnchor : fields.resetAnchor ?? .calendar
            try fields.validate(type: type, aggregationMethod: aggregationMethod, resetAnchor: resetAnchor, operation: "UpdateEntitlement")

            let id = UUID(uuidString: current.id)!
            try await connection.execute(
                """
                UPDATE entitlement SET
                    name = \(fields.name), description = \(fields.description), icon = \(fields.icon),
                    unit_singular = \(fields.unitSingular), unit_plural = \(fields.unitPlural),
                    sale_unit_singular = \(fields.saleUnitSingular), sale_unit_plural = \(fields.saleUnitPlural),
                    sale_unit_factor = \(fields.saleUnitFactor), user_facing = \(fields.userFacing ?? false),
                    display_order = \(fields.displayOrder ?? 0), warning_threshold_percent = \(fields.warningThresholdPercent ?? 0),
                    reset_period = \(fields.resetPeriod?.rawValue)::entitlement_reset_period,
                    reset_anchor = \(resetAnchor?.rawValue)::entitlement_reset_anchor,
                    updated_at = now()
                WHERE id = \(id)
                """,
                logger: database.logger
            )
            if let groupSlugs = fields.groupSlugs {
                try await replaceGroups(
                    of: current, with: GroupMemberships.normalize(groupSlugs), organizationID: caller.organizationID, on: connection)
            }
            let entitlement = try await EntitlementRows.fetch(
                "\(unescaped: EntitlementRows.selection) WHERE e.id = \(id)", on: connection, logger: database.logger
            )[0]
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: EntitlementEvents.updated, data: entitlement),
                on: connection,
                logger: database.logger
            )
        }
    }

    /// Links the groups of `target` the entitlement is not in yet and unlinks the others.
    private func replaceGroups(
        of entitlement: EntitlementResource,
        with target: [String],
        organizationID: UUID,
        on connection: PostgresConnection
    ) async throws {
        let id = UUID(uuidString: entitlement.id)!
        let current = Set(entitlement.entitlementGroups.map(\.slug))
        for groupSlug in target where !current.contains(groupSlug) {
            guard
                try await GroupMemberships.link(
                    entitlementID: id, groupSlug: groupSlug, organizationID: organizationID, on: connection, logger: database.logger
                )
            else {
                throw APIError.notFound("UpdateEntitlement.GroupNotFound", "Entitlement group with slug \"\(groupSlug)\" not found")
            }
        }
        let dropped = entitlement.entitlementGroups.filter { !target.contains($0.slug) }.map { UUID(uuidString: $0.id)! }
        if !dropped.isEmpty {
            try await connection.execute(
                "DELETE FROM entitlement_group_membership WHERE entitlement_id = \(id) AND entitlement_group_id = ANY(\(dropped))",
                logger: database.logger
            )
        }
    }
}
