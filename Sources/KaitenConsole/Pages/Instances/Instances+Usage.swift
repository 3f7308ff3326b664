import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/instances/{slug}/usage/{entitlementSlug}`: the accepted usage reports of one entitlement in a
/// range of days (the last 30 by default), and the same range as CSV.
extension InstancesPages {
    /// The longest range shown or exported at once.
    static let longestRangeDays = 366
    static let defaultRangeDays = 30

    /// The days a usage view covers, from the URL: a missing or unreadable day falls back to the default,
    /// a range longer than ``longestRangeDays`` keeps its last days.
    struct UsageRange {
        let from: Date
        /// The first instant after the range: the day after `to`.
        let end: Date
        let shortened: Bool

        init(_ console: ConsoleRequest) {
            let today = Self.day(Format.day(Date()))!
            let to = console.query("to").flatMap(Self.day) ?? today
            var from = console.query("from").flatMap(Self.day) ?? to.addingTimeInterval(-Double(InstancesPages.defaultRangeDays) * 86_400)
            if from > to { from = to }
            let earliest = to.addingTimeInterval(-Double(InstancesPages.longestRangeDays - 1) * 86_400)
            shortened = from < earliest
            self.from = max(from, earliest)
            end = to.addingTimeInterval(86_400)
        }

        var fromDay: String { Format.day(from) }
        var toDay: String { Format.day(end.addingTimeInterval(-86_400)) }

        static func day(_ text: String) -> Date? {
            guard text.count == 10 else { return nil }
            return Timestamp.parse("\(text)T00:00:00Z")
        }
    }

    /// The instance and the entitlement a usage view is about; not found when either is not the caller's.
    func usageSubject(
        _ console: ConsoleRequest, slug: String, entitlementSlug: String
    ) async throws -> (
        instanceID: UUID, instanceName: String, entitlementID: UUID, entitlementName: String
    ) {
        try console.caller.require(.read(.instances))
        let organization = console.caller.organizationID
        guard
            let row = try await database.first(
                """
                SELECT i.id, i.name, e.id, e.name FROM instance i
                JOIN entitlement e ON e.organization_id = i.organization_id AND e.slug = \(entitlementSlug)
                WHERE i.organization_id = \(organization) AND i.slug = \(slug)
                """,
                as: (UUID, String, UUID, String).self, logger: database.logger)
        else {
            throw APIError.notFound(
                "Console.UsageNotFound", "No instance \"\(slug)\" with an entitlement \"\(entitlementSlug)\" in this organization")
        }
        return (row.0, row.1, row.2, row.3)
    }

    func usageHistory(_ console: ConsoleRequest, slug: String, entitlementSlug: String) async throws -> Page {
        let subject = try await usageSubject(console, slug: slug, entitlementSlug: entitlementSlug)
        let range = UsageRange(console)
        let path = "/console/instances/\(slug)/usage/\(entitlementSlug)"
        let view = ListQuery(console, path: path, sorts: ["reported"], defaultDescending: true, filters: ["from": nil, "to": nil])
        let rows = try await database.all(
            """
            SELECT reported_at, behavior, value::float8::text, value_after::float8::text, event_count_after, COALESCE(transaction_id, ''),
                   COALESCE(metadata::text, ''), (count(*) OVER ())::int
            FROM usage_ledger
            WHERE organization_id = \(console.caller.organizationID) AND instance_id = \(subject.instanceID)
              AND entitlement_id = \(subject.entitlementID) AND reported_at >= \(range.from) AND reported_at < \(range.end)
            ORDER BY reported_at \(unescaped: view.direction), report_seq \(unescaped: view.direction)
            LIMIT \(view.size) OFFSET \(view.offset)
            """,
            as: (Date, String, String, String, Int64, String, String, Int).self, logger: database.logger)
        var data: [String: Any] = [
            "instanceName": subject.instanceName, "instanceLink": "/console/instances/\(slug)", "entitlementName": subject.entitlementName,
            "action": path, "from": range.fromDay, "to": range.toDay,
            "csv": "\(path).csv?from=\(range.fromDay)&to=\(range.toDay)",
            "reports": rows.map { row in
                [
                    "reportedAt": Format.date(row.0), "behavior": row.1, "value": row.2, "total": row.3, "count": row.4,
                    "transaction": row.5.isEmpty ? "—" : row.5, "metadata": row.6.isEmpty ? "—" : row.6,
                ] as [String: Any]
            },
            "empty": rows.isEmpty,
            "column": view.column("reported", "Reported at"),
            "pager": view.pager(total: rows.first?.7 ?? 0),
        ]
        if range.shortened { data["shortened"] = "A range covers at most \(Self.longestRangeDays) days: this one starts on \(range.fromDay)." }
        return Page(template: "instance-usage", title: "\(subject.entitlementName) usage of \(subject.instanceName)", section: .instances, data: data)
    }

    /// The range's accepted reports as CSV, oldest first.
    func usageExport(_ console: ConsoleRequest, slug: String, entitlementSlug: String) async throws -> Response {
        let subject = try await usageSubject(console, slug: slug, entitlementSlug: entitlementSlug)
        let range = UsageRange(console)
        let rows = try await database.all(
            """
            SELECT reported_at, behavior, value::float8::text, value_after::float8::text, event_count_after, COALESCE(transaction_id, ''),
                   COALESCE(metadata::text, '')
            FROM usage_ledger
            WHERE organization_id = \(console.caller.organizationID) AND instance_id = \(subject.instanceID)
              AND entitlement_id = \(subject.entitlementID) AND reported_at >= \(range.from) AND reported_at < \(range.end)
            ORDER BY reported_at, report_seq
            """,
            as: (Date, String, String, String, Int64, String, String).self, logger: database.logger)
        var csv = CSVExport(header: ["reported_at", "behavior", "value", "total_after", "event_count_after", "transaction_id", "metadata"])
        for row in rows {
            csv.append([Timestamp.format(row.0), row.1, row.2, row.3, String(row.4), row.5, row.6])
        }
        return csv.response(filename: "\(slug)-\(entitlementSlug)-\(range.fromDay)-\(range.toDay).csv")
    }
}
