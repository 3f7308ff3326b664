import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /entitlement-groups`.
enum CreateEntitlementGroup {
    static let operation = APIOperation("create-entitlement-group", .post, "/entitlement-groups")
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
            let group = try await module.createGroup(command, caller: try context.organizationCaller())
            return try JSONResponse.make(group, status: .created)
        }
    }
}

extension EntitlementsModule {
    func createGroup(_ command: CreateEntitlementGroup.Command, caller: OrganizationCaller) async throws -> EntitlementGroupResource {
        try caller.require(CreateEntitlementGroup.requiredScope)
        let fields = command.fields
        return try await SlugAttempts.run(
            given: fields.slug,
            base: fields.name,
            conflictCode: "CreateEntitlementGroup.SlugConflict",
            constraint: "entitlement_group_organization_id_slug_key"
        ) { slug in
            try await database.transaction { connection in
                let group = try await EntitlementGroupRows.fetch(
                    """
                    INSERT INTO entitlement_group (organization_id, name, slug, description)
                    VALUES (\(caller.organizationID), \(fields.name), \(slug), \(fields.description))
                    \(unescaped: EntitlementGroupRows.returning)
                    """,
                    on: connection,
                    logger: database.logger
                )[0]
                try await Outbox.append(
                    OutboxMessage(organizationID: caller.organizationID, event: EntitlementGroupEvents.created, data: group),
                    on: connection,
                    logger: database.logger
                )
                return group
            }
        }
    }
}
