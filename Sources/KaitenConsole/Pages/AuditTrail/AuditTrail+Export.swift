import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/audit-trail.csv`: the filtered events as CSV, newest first, at most ``exportLimit`` of them.
extension AuditTrailPages {
    static let exportLimit = 10_000

    func export(_ console: ConsoleRequest) async throws -> Response {
        try console.caller.require(.read(.instances))
        let filter = AuditFilter(console)
        let rows = try await database.all(
            filter.query(
                organizationID: console.caller.organizationID,
                select: "id, occurred_at, status, event_name, event_type, instance_slug, customer_slug, payload",
                tail: "ORDER BY occurred_at DESC, id DESC", window: Self.exportLimit),
            as: (UUID, Date, String, String, String, String?, String?, String).self, logger: database.logger)
        var csv = CSVExport(header: ["id", "time", "status", "event_name", "event_type", "instance", "customer", "payload"])
        for row in rows {
            csv.append([row.0.lowercased, Timestamp.format(row.1), row.2, row.3, row.4, row.5 ?? "", row.6 ?? "", row.7])
        }
        return csv.response(filename: "audit-trail.csv")
    }
}
