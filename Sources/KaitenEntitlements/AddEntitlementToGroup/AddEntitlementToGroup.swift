import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /entitlement-groups/{entitlementGroupSlug}/entitlements`: 201 with no body. The catalogue has no
/// event for a membership, so none is written.
enum AddEntitlementToGroup {
    static let operation = APIOperation("add-entitlement-to-group", .post, "/entitlement-groups/{entitlementGroupSlug}/entitlements")
    static let requiredScope = Scope.write(.entitlements)

    struct Command {
        let entitlementSlug: String

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            entitlementSlug = reader.string("entitlementSlug", required: true) ?? ""
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            try await module.addToGroup(
                groupSlug: try context.parameters.path("entitlementGroupSlug"), command, caller: try context.organizationCaller())
            return Response(status: .created)
        }
    }
}

extension EntitlementsModule {
    func addToGroup(groupSlug: String, _ command: AddEntitlementToGroup.Command, caller: OrganizationCaller) async throws {
        try caller.require(AddEntitlementToGroup.requiredScope)
        let entitlementSlug = command.entitlementSlug
        let (groupID, entitlementID) = try await GroupMemberships.resolve(
            groupSlug: groupSlug,
            entitlementSlug: entitlementSlug,
            organizationID: caller.organizationID,
            operation: "AddEntitlementToGroup",
            on: database,
            logger: database.logger
        )
        do {
            try await database.execute(
                """
                INSERT INTO entitlement_group_membership (entitlement_group_id, entitlement_id, organization_id)
                VALUES (\(groupID), \(entitlementID), \(caller.organizationID))
                """,
                logger: database.logger
            )
        } catch let error where PostgresFailure(error)?.isUniqueViolation == true {
            throw APIError.conflict(
                "AddEntitlementToGroup.AlreadyMember",
                "Entitlement \"\(entitlementSlug)\" is already a member of group \"\(groupSlug)\""
            )
        } catch let error where PostgresFailure(error)?.isForeignKeyViolation == true {
            // Deleted between the lookup and the insert.
            throw APIError.notFound(
                "AddEntitlementToGroup.NotFound", "Entitlement group \"\(groupSlug)\" or entitlement \"\(entitlementSlug)\" not found")
        }
    }
}
