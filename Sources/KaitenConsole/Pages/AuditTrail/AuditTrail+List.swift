import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// The trail's page: counts by status, the filters, and a page of events grouped by day, in two queries.
extension AuditTrailPages {
    func list(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.instances))
        let filter = AuditFilter(console)
        let view = filter.view
        let organization = console.caller.organizationID
        let counts =
            try await database.first(
                filter.query(
                    organizationID: organization,
                    select: """
                        count(*)::int, (count(*) FILTER (WHERE status = 'read'))::int, (count(*) FILTER (WHERE status = 'accepted'))::int,
                        (count(*) FILTER (WHERE status = 'rejected'))::int, (count(*) FILTER (WHERE status = 'warning'))::int
                        """, byStatus: false),
                as: (Int, Int, Int, Int, Int).self, logger: database.logger) ?? (0, 0, 0, 0, 0)
        let rows = try await database.all(
            filter.query(
                organizationID: organization,
                select: "id, event_name, event_type, occurred_at, payload, instance_slug, customer_slug, status, (count(*) OVER ())::int",
                tail: "ORDER BY occurred_at \(view.direction), id \(view.direction) LIMIT \(view.size) OFFSET \(view.offset)"),
            as: (UUID, String, String, Date, String, String?, String?, String, Int).self, logger: database.logger)
        let total = rows.first?.8 ?? 0
        var days: [(label: String, events: [[String: Any]])] = []
        for row in rows {
            let status = AuditStatus(rawValue: row.7) ?? .accepted
            let event: [String: Any] = [
                "id": row.0.lowercased, "eventName": row.1, "eventType": row.2, "time": Format.date(row.3), "payload": Self.pretty(row.4),
                "instance": row.5 ?? "—", "instanceLink": row.5.map { "/console/instances/\($0)" } ?? "", "hasInstance": row.5 != nil,
                "customer": row.6 ?? "—", "customerLink": row.6.map { "/console/customers/\($0)" } ?? "", "hasCustomer": row.6 != nil,
                "status": status.label, "statusClass": status.badgeClass,
            ]
            let day = Self.dayLabel(row.3)
            if days.last?.label == day {
                days[days.count - 1].events.append(event)
            } else {
                days.append((day, [event]))
            }
        }
        let statusCards: [(AuditStatus?, Int)] = [
            (nil, counts.0), (.read, counts.1), (.accepted, counts.2), (.rejected, counts.3), (.warning, counts.4),
        ]
        return Page(
            template: "audit-trail", title: "Audit trail", section: .auditTrail,
            data: [
                "cards": statusCards.map { status, count in
                    [
                        "label": status?.label ?? "Total", "count": count,
                        "link": view.link(["status": status?.rawValue, "page": "1"]),
                        "current": view.filters["status"] == status?.rawValue,
                    ] as [String: Any]
                },
                "days": days.map { ["label": $0.label, "events": $0.events] as [String: Any] },
                "empty": rows.isEmpty,
                "search": view.search ?? "",
                "statuses": view.options("status", AuditStatus.allCases.map { ($0.rawValue, $0.label) }),
                "ranges": AuditRange.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": filter.range == $0] as [String: Any] },
                "events": view.options("event", EventCatalogue.all.map(\.name).sorted().map { ($0, $0) }),
                "instance": view.filters["instance"] ?? "",
                "customer": view.filters["customer"] ?? "",
                "export": view.link(["page": nil, "size": nil, "sort": nil, "dir": nil]).replacingOccurrences(
                    of: "/console/audit-trail", with: "/console/audit-trail.csv"),
                "exportCapped": total > Self.exportLimit,
                "exportLimit": Format.number(Double(Self.exportLimit)),
                "pager": view.pager(total: total),
            ])
    }

    /// Today, Yesterday, or the date, as the feed's day headings read.
    static func dayLabel(_ date: Date) -> String {
        let day = Format.day(date)
        if day == Format.day(Date()) { return "Today" }
        if day == Format.day(Date().addingTimeInterval(-24 * 3600)) { return "Yesterday" }
        return day
    }

    /// The stored JSON indented for reading; as stored when it does not parse.
    static func pretty(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return json }
        return String(decoding: data, as: UTF8.self)
    }
}
