import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /v1/notification-preferences`: stores the caller's choices for the events sent (the others keep
/// theirs) and answers the whole matrix. A choice equal to the catalogue's default is stored as no choice, so
/// a later change of that default still reaches the caller.
enum PutNotificationPreferences {
    static let operation = APIOperation("putNotificationPreferences", .put, "/v1/notification-preferences")
    static let requiredScope = Scope.write(.notifications)

    struct Choice {
        let eventName: String
        let channels: [String: Bool]
    }

    struct Command {
        let choices: [Choice]

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            let choices = reader.objects("events", required: true, nullable: true, maxItems: 1_000) { event -> Choice? in
                let name = event.string("eventName", required: true)
                let channels = event.object("channels", required: true)
                if let name, NotificationCatalogue.entry(named: name) == nil {
                    event.reject("eventName", "not a notifiable event", value: .string(name))
                }
                var flags: [String: Bool] = [:]
                for (channel, value) in channels ?? [:] {
                    guard NotificationCatalogue.channels.contains(channel) else {
                        event.reject("channels", "unknown channel \"\(channel)\"", value: .object(channels ?? [:]))
                        continue
                    }
                    guard case .bool(let flag) = value else {
                        event.reject("channels", "expected boolean for channel \"\(channel)\", got \(value.typeName)", value: value)
                        continue
                    }
                    flags[channel] = flag
                }
                guard let name, channels != nil, !event.hasViolations else { return nil }
                return Choice(eventName: name, channels: flags)
            }
            try reader.finish()
            self.choices = choices ?? []
        }
    }

    static func register(on router: OperationRouter, module: AuditTrailModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            return try JSONResponse.make(try await module.putPreferences(command, caller: try context.organizationCaller()))
        }
    }
}

extension AuditTrailModule {
    func putPreferences(
        _ command: PutNotificationPreferences.Command, caller: OrganizationCaller
    ) async throws
        -> GetNotificationPreferences.Matrix
    {
        try caller.require(PutNotificationPreferences.requiredScope)
        let feed = NotificationFeed(caller: caller, database: database)
        return try await database.transaction { connection in
            for choice in command.choices {
                let entry = NotificationCatalogue.entry(named: choice.eventName)!
                for (channel, enabled) in choice.channels {
                    if enabled == entry.onByDefault {
                        try await connection.execute(
                            """
                            DELETE FROM notification_preference
                            WHERE user_id = \(caller.userID) AND organization_id = \(caller.organizationID)
                              AND event_name = \(choice.eventName) AND channel = \(channel)
                            """,
                            logger: database.logger
                        )
                    } else {
                        try await connection.execute(
                            """
                            INSERT INTO notification_preference (user_id, organization_id, event_name, channel, enabled)
                            VALUES (\(caller.userID), \(caller.organizationID), \(choice.eventName), \(channel), \(enabled))
                            ON CONFLICT (user_id, organization_id, event_name, channel) DO UPDATE SET enabled = EXCLUDED.enabled
                            """,
                            logger: database.logger
                        )
                    }
                }
            }
            return try await preferenceMatrix(feed, on: connection)
        }
    }
}
