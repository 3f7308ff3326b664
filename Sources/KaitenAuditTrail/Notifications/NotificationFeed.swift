import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// One user's notifications in one organization: the audit trail narrowed to the events the user receives,
/// with what the user has read.
struct NotificationFeed {
    /// The badge stops counting here: the console shows "99+" past 99, and a long backlog should not be counted
    /// on every request.
    static let maximumUnreadCount = 100
    /// How far back the feed looks; the audit trail itself is kept for good.
    static let window: TimeInterval = 90 * 86_400

    let userID: UUID
    let organizationID: UUID
    let database: Database

    init(caller: OrganizationCaller, database: Database) {
        userID = caller.userID
        organizationID = caller.organizationID
        self.database = database
    }

    /// The user's choice for each catalogued event on `channel`, the catalogue's default where they made none.
    func choices(channel: String, on executor: some SQLExecutor) async throws -> [String: Bool] {
        var enabled = Dictionary(uniqueKeysWithValues: NotificationCatalogue.entries.map { ($0.event.name, $0.onByDefault) })
        let rows = try await executor.all(
            """
            SELECT event_name, enabled FROM notification_preference
            WHERE user_id = \(userID) AND organization_id = \(organizationID) AND channel = \(channel)
            """,
            as: (String, Bool).self,
            logger: database.logger
        )
        // A choice about an event the catalogue dropped outlives it harmlessly: it is ignored.
        for (name, choice) in rows where enabled[name] != nil { enabled[name] = choice }
        return enabled
    }

    /// The events the user receives in the feed.
    func subscription(on executor: some SQLExecutor) async throws -> [String] {
        try await choices(channel: NotificationCatalogue.channels[0], on: executor).filter(\.value).map(\.key).sorted()
    }

    /// The feed's rows with the user's read marks beside them: one by one, or the "mark all read" watermark.
    private var feedRows: String {
        """
        audit_trail a
        LEFT JOIN notification_read r ON r.user_id = '\(userID.lowercased)' AND r.audit_trail_id = a.id
        LEFT JOIN notification_user_state s ON s.user_id = '\(userID.lowercased)' AND s.organization_id = a.organization_id
        """
    }

    private let readAt = "COALESCE(r.read_at, CASE WHEN a.occurred_at < s.read_all_before THEN s.read_all_before END)"

    /// How many of these events are unread, up to `cap`.
    func unreadCount(of events: [String], cap: Int = maximumUnreadCount, on executor: some SQLExecutor) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        return try await executor.first(
            """
            SELECT count(*)::int FROM (
                SELECT 1 FROM \(unescaped: feedRows)
                WHERE a.organization_id = \(organizationID) AND a.event_name = ANY(\(events))
                  AND a.occurred_at >= \(Date().addingTimeInterval(-Self.window)) AND \(unescaped: readAt) IS NULL
                LIMIT \(cap)) unread
            """,
            as: Int.self,
            logger: database.logger
        ) ?? 0
    }

    /// One page of these events, newest first, each with when the user read it.
    func page(of events: [String], unreadOnly: Bool, page: PageRequest, on executor: some SQLExecutor) async throws -> [Notification] {
        guard !events.isEmpty else { return [] }
        return try await executor.all(
            """
            SELECT a.id, a.event_name, a.occurred_at, a.payload::text, \(unescaped: readAt), i.slug, i.name
            FROM \(unescaped: feedRows)
            LEFT JOIN instance i ON i.id = a.instance_id
            WHERE a.organization_id = \(organizationID) AND a.event_name = ANY(\(events))
              AND a.occurred_at >= \(Date().addingTimeInterval(-Self.window))
              AND (NOT \(unreadOnly) OR \(unescaped: readAt) IS NULL)
              AND \(rowsAfter: page, in: "a", orderedBy: "occurred_at")
            """,
            as: (UUID, String, Date, String, Date?, String?, String?).self,
            logger: database.logger
        ).compactMap { row in
            guard let entry = NotificationCatalogue.entry(named: row.1) else { return nil }
            let payload = (try? JSONValue.parse(Array(row.3.utf8))) ?? .null
            return Notification(
                id: row.0.lowercased, eventName: entry.event.name, eventType: entry.event.type, objectType: entry.objectType.rawValue,
                title: entry.title(payload: payload, instanceName: row.6), actionUrl: entry.actionURL(payload: payload, instanceSlug: row.5),
                createdAt: row.2, readAt: row.4
            )
        }
    }

    /// One notification as the feed answers it.
    struct Notification: KeysetPaged, Sendable, Encodable {
        let id: String
        let eventName: String
        let eventType: String
        let objectType: String
        let title: String
        let actionUrl: String
        let createdAt: Date
        let readAt: Date?
    }
}
