import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /instances/{instanceSlug}/audit-trails`: an instance's events, newest first, filterable by exact
/// event name and by an inclusive time range.
enum GetAuditTrails {
    static let operation = APIOperation("getAuditTrails", .get, "/instances/{instanceSlug}/audit-trails")
    static let requiredScope = Scope.read(.instances)

    struct Filter {
        let eventName: String?
        let after: Date?
        let before: Date?

        init(query: [String: String]) throws {
            var violations: [ErrorDetail] = []
            func time(_ key: String) -> Date? {
                guard let text = query[key] else { return nil }
                guard let date = Timestamp.parse(text) else {
                    violations.append(ErrorDetail(message: "expected an RFC 3339 timestamp", location: "query.\(key)", value: .string(text)))
                    return nil
                }
                return date
            }
            eventName = query["event_name"].flatMap { $0.isEmpty ? nil : $0 }
            after = time("after")
            before = time("before")
            if !violations.isEmpty { throw APIError.schemaViolations(violations) }
        }
    }

    struct Entry: Encodable, KeysetPaged {
        let id: String
        let instanceId: String
        let instanceSlug: String
        let eventName: String
        let eventType: String
        let timestamp: Date
        let payload: JSONValue

        var createdAt: Date { timestamp }
    }

    static func register(on router: OperationRouter, module: AuditTrailModule) {
        router.on(operation) { request, context in
            let parameters = request.uri.queryParameters
            let query = Dictionary(parameters.map { (String($0.key), String($0.value)) }) { first, _ in first }
            let page = try await module.listAuditTrails(
                instanceSlug: try context.parameters.path("instanceSlug"),
                filter: try Filter(query: query),
                page: try request.pageRequest(),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(page)
        }
    }
}

extension AuditTrailModule {
    func listAuditTrails(
        instanceSlug: String, filter: GetAuditTrails.Filter, page: PageRequest, caller: OrganizationCaller
    ) async throws
        -> Page<GetAuditTrails.Entry>
    {
        try caller.require(GetAuditTrails.requiredScope)
        guard
            let instanceID = try await database.first(
                "SELECT id FROM instance WHERE organization_id = \(caller.organizationID) AND slug = \(instanceSlug)",
                as: UUID.self,
                logger: database.logger
            )
        else {
            throw APIError.notFound("GetAuditTrails.InstanceNotFound", "instance \"\(instanceSlug)\" not found")
        }
        let rows = try await database.all(
            """
            SELECT a.id, a.event_name, a.event_type, a.occurred_at, a.payload FROM audit_trail a
            WHERE a.organization_id = \(caller.organizationID) AND a.instance_id = \(instanceID)
              AND (\(filter.eventName)::text IS NULL OR a.event_name = \(filter.eventName))
              AND (\(filter.after)::timestamptz IS NULL OR a.occurred_at >= \(filter.after))
              AND (\(filter.before)::timestamptz IS NULL OR a.occurred_at <= \(filter.before))
              AND \(rowsAfter: page, in: "a", orderedBy: "occurred_at")
            """,
            as: (UUID, String, String, Date, String).self,
            logger: database.logger
        )
        let entries = rows.map { row in
            GetAuditTrails.Entry(
                id: row.0.lowercased,
                instanceId: instanceID.lowercased,
                instanceSlug: instanceSlug,
                eventName: row.1,
                eventType: row.2,
                timestamp: row.3,
                payload: (try? JSONValue.parse(Array(row.4.utf8))) ?? .null
            )
        }
        return Page(rows: entries, request: page)
    }
}
