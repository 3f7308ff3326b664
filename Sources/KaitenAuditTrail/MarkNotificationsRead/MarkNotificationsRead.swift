import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /v1/notifications/mark-read`: marks the given notifications read for the caller, or every one up to
/// now with `all: true`. Ids of another organization, or of no notification, are ignored rather than refused,
/// so retrying a call that was partly applied is safe.
enum MarkNotificationsRead {
    static let operation = APIOperation("markNotificationsRead", .post, "/v1/notifications/mark-read")
    static let requiredScope = Scope.write(.notifications)

    struct Command {
        let all: Bool
        let ids: [UUID]

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            all = reader.boolean("all") ?? false
            let texts = reader.stringArray("ids", nullable: true, maxItems: 200) ?? []
            try reader.finish()
            // Not a uuid cannot be an audit trail id: ignored like any id that names nothing.
            ids = texts.compactMap(UUID.init(uuidString:))
        }
    }

    struct Result: Encodable {
        let updated: Int
        let unreadCount: Int
    }

    static func register(on router: OperationRouter, module: AuditTrailModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            return try JSONResponse.make(try await module.markRead(command, caller: try context.organizationCaller()))
        }
    }
}

extension AuditTrailModule {
    func markRead(_ command: MarkNotificationsRead.Command, caller: OrganizationCaller) async throws -> MarkNotificationsRead.Result {
        try caller.require(MarkNotificationsRead.requiredScope)
        let feed = NotificationFeed(caller: caller, database: database)
        return try await database.transaction { connection in
            let subscription = try await feed.subscription(on: connection)
            // Counted exactly, not up to the badge's cap: `updated` says how many this call marked.
            let unreadBefore = try await feed.unreadCount(of: subscription, cap: Int(Int32.max), on: connection)
            if command.all {
                try await connection.execute(
                    """
                    INSERT INTO notification_user_state (user_id, organization_id, read_all_before)
                    VALUES (\(caller.userID), \(caller.organizationID), now())
                    ON CONFLICT (user_id, organization_id) DO UPDATE SET read_all_before = now()
                    """,
                    logger: database.logger
                )
            } else if !command.ids.isEmpty {
                try await connection.execute(
                    """
                    INSERT INTO notification_read (user_id, audit_trail_id)
                    SELECT \(caller.userID), a.id FROM audit_trail a
                    WHERE a.organization_id = \(caller.organizationID) AND a.id = ANY(\(command.ids))
                    ON CONFLICT DO NOTHING
                    """,
                    logger: database.logger
                )
            }
            let unreadAfter = try await feed.unreadCount(of: subscription, cap: Int(Int32.max), on: connection)
            return MarkNotificationsRead.Result(
                updated: unreadBefore - unreadAfter, unreadCount: min(unreadAfter, NotificationFeed.maximumUnreadCount))
        }
    }
}
