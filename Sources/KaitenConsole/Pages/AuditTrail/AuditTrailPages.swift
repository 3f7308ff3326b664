import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/audit-trail`: the organization's events, newest first, with counts by status, and the CSV export
/// of the same filtered rows. Read-only: the audit trail is written by its consumer alone.
struct AuditTrailPages: Sendable {
    let database: Database

    func register(on routes: ConsoleRoutes) {
        routes.page("audit-trail") { console in console.render(try await list(console)) }
        routes.page("audit-trail.csv") { console in try await export(console) }
    }
}

/// The status of an event, read from its name: a read, an accepted change, a rejected request, or one of the
/// usage-limit warnings.
enum AuditStatus: String, CaseIterable {
    case read, accepted, rejected, warning

    static let readEvents = ["FEATURE_FLAG_EVALUATED", "ENTITLEMENT_VALUE_GET"]
    static let warningEvents = [
        "INSTANCE_ENTITLEMENT_CAP_EXCEEDED", "INSTANCE_ENTITLEMENT_USAGE_REACHED", "INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED",
    ]

    var label: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    var badgeClass: String {
        switch self {
        case .read: "read"
        case .accepted: "enabled"
        case .rejected: "revoked"
        case .warning: "warning"
        }
    }
}

/// The time ranges the trail can be narrowed to.
enum AuditRange: String, CaseIterable {
    case day = "24h"
    case week = "7d"
    case month = "30d"
    case all

    var label: String {
        switch self {
        case .day: "Last 24 hours"
        case .week: "Last 7 days"
        case .month: "Last 30 days"
        case .all: "All time"
        }
    }

    var start: Date? {
        switch self {
        case .day: Date().addingTimeInterval(-24 * 3600)
        case .week: Date().addingTimeInterval(-7 * 24 * 3600)
        case .month: Date().addingTimeInterval(-30 * 24 * 3600)
        case .all: nil
        }
    }
}

/// The filters of the trail as its URL states them, shared by the page and the export.
struct AuditFilter {
    /// How many of the newest matching events a page counts and pages through, as Kaiten's console loads at most
    /// a thousand; a narrower filter reaches further back.
    static let window = 1_000

    let view: ListQuery
    let range: AuditRange

    init(_ console: ConsoleRequest) {
        view = ListQuery(
            console, path: "/console/audit-trail", sorts: ["time"], defaultDescending: true,
            filters: [
                "status": Set(AuditStatus.allCases.map(\.rawValue)), "range": Set(AuditRange.allCases.map(\.rawValue)),
                "event": Set(EventCatalogue.all.map(\.name)), "instance": nil, "customer": nil,
            ])
        range = view.filters["range"].flatMap(AuditRange.init(rawValue:)) ?? .all
    }

    /// One statement over the filtered events: `select` picks from the `events` rows and `tail` orders and
    /// limits them. The status filter is left out for the counts by status, which show every status.
    /// The events a page reads: the newest `window` that pass every filter, newest first, so that a
    /// year of events costs no more than a day's (the counts and pages are of that window, as Kaiten's console
    /// reads its newest events).
    func query(organizationID: UUID, select: String, tail: String = "", byStatus: Bool = true, window: Int = Self.window) -> PostgresQuery {
        let status = byStatus ? view.filters["status"] : nil
        let readEvents = AuditStatus.readEvents
        let warningEvents = AuditStatus.warningEvents
        return """
            WITH events AS (
                SELECT * FROM (
                    SELECT a.id, a.event_name, a.event_type, a.occurred_at, a.payload::text AS payload, i.slug AS instance_slug,
                           COALESCE(c.slug, CASE WHEN a.event_name LIKE 'CUSTOMER\\_%' THEN a.payload ->> 'slug' END) AS customer_slug,
                           CASE WHEN a.event_name = ANY(\(readEvents)) THEN 'read'
                                WHEN a.event_name LIKE '%\\_REJECTED' THEN 'rejected'
                                WHEN a.event_name = ANY(\(warningEvents)) THEN 'warning'
                                ELSE 'accepted' END AS status
                    FROM audit_trail a
                    LEFT JOIN instance i ON i.id = a.instance_id
                    LEFT JOIN customer c ON c.id = i.customer_id
                    WHERE a.organization_id = \(organizationID)
                      AND (\(range.start)::timestamptz IS NULL OR a.occurred_at >= \(range.start))
                      AND (\(view.filters["event"])::text IS NULL OR a.event_name = \(view.filters["event"]))
                      AND (\(view.searchPattern)::text IS NULL OR a.event_name ILIKE \(view.searchPattern) OR a.payload::text ILIKE \(view.searchPattern))
                ) found
                WHERE (\(view.filters["instance"])::text IS NULL OR instance_slug = \(view.filters["instance"]))
                  AND (\(view.filters["customer"])::text IS NULL OR customer_slug = \(view.filters["customer"]))
                  AND (\(status)::text IS NULL OR status = \(status))
                ORDER BY occurred_at DESC, id DESC
                LIMIT \(window)
            )
            SELECT \(unescaped: select) FROM events
            \(unescaped: tail)
            """
    }
}
