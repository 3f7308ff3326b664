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
        let rows = try await database.client.all(
            filter.query(
                organizationID: console.caller.organizationID,
                select: "id, occurred_at, status, event_name, event_type, instance_slug, customer_slug, payload",
                tail: "ORDER BY occurred_at DESC, id DESC LIMIT \(Self.exportLimit)"),
            as: (UUID, Date, String, String, String, String?, String?, String).self, logger: database.logger)
        var csv = "id,time,status,event_name,event_type,instance,customer,payload\r\n"
        for row in rows {
            let cells = [row.0.lowercased, Timestamp.format(row.1), row.2, row.3, row.4, row.5 ?? "", row.6 ?? "", row.7]
            csv += cells.map(Self.csvCell).joined(separator: ",") + "\r\n"
        }
        var headers = PageRenderer.securityHeaders
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"audit-trail.csv\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
    }

    /// A cell quoted as RFC 4180 has it; a leading formula character is neutralised so that a spreadsheet
    /// opening the file does not run what an event's payload carried.
    static func csvCell(_ text: String) -> String {
        let safe = text.first.map { "=+-@\t\r".contains($0) } == true ? "'" + text : text
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
