import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /v1/notification-preferences`: every notifiable event with the caller's effective choice per channel:
/// their own where they made one, the catalogue's default otherwise.
enum GetNotificationPreferences {
    static let operation = APIOperation("getNotificationPreferences", .get, "/v1/notification-preferences")
    static let requiredScope = Scope.read(.notifications)

    struct Matrix: Encodable {
        let channels: [String]
        let events: [Event]
    }

    struct Event: Encodable {
        let eventName: String
        let eventType: String
        let group: String
        let label: String
        let channels: [String: Bool]
    }

    static func register(on router: OperationRouter, module: AuditTrailModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(try await module.preferences(caller: try context.organizationCaller()))
        }
    }
}

extension AuditTrailModule {
    func preferences(caller: OrganizationCaller) async throws -> GetNotificationPreferences.Matrix {
        try caller.require(GetNotificationPreferences.requiredScope)
        return try await preferenceMatrix(NotificationFeed(caller: caller, database: database), on: database)
    }

    /// The matrix as the caller's choices now stand, in catalogue order.
    func preferenceMatrix(_ feed: NotificationFeed, on executor: some SQLExecutor) async throws -> GetNotificationPreferences.Matrix {
        var choices: [String: [String: Bool]] = [:]
        for channel in NotificationCatalogue.channels {
            for (event, enabled) in try await feed.choices(channel: channel, on: executor) { choices[event, default: [:]][channel] = enabled }
        }
        return GetNotificationPreferences.Matrix(
            channels: NotificationCatalogue.channels,
            events: NotificationCatalogue.entries.map { entry in
                GetNotificationPreferences.Event(
                    eventName: entry.event.name, eventType: entry.event.type, group: entry.group, label: entry.label,
                    channels: choices[entry.event.name] ?? [:])
            }
        )
    }
}
