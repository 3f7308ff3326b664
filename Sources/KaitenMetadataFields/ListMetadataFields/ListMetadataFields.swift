import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /metadata-fields?resourceType=…`: the fields of one resource type in display order, active ones only
/// unless `includeArchived=true`.
enum ListMetadataFields {
    static let operation = APIOperation("list-metadata-fields", .get, "/metadata-fields")
    static let requiredScope = Scope.read(.metadataFields)

    struct Query {
        let resourceType: MetadataResourceType
        let includeArchived: Bool
        let limit: Int
        let after: MetadataFieldCursor?

        init(resourceType resourceTypeText: String?, includeArchived includeArchivedText: String?, limit limitText: String?, cursor: String?) throws {
            var violations: [ErrorDetail] = []
            var resourceType: MetadataResourceType?
            if let resourceTypeText {
                resourceType = MetadataResourceType(rawValue: resourceTypeText)
                if resourceType == nil {
                    violations.append(
                        ErrorDetail(message: MetadataResourceType.expectation, location: "query.resourceType", value: .string(resourceTypeText)))
                }
            } else {
                violations.append(ErrorDetail(message: "required query parameter is missing", location: "query.resourceType"))
            }
            switch includeArchivedText {
            case nil, "false": includeArchived = false
            case "true": includeArchived = true
            case let text?:
                includeArchived = false
                violations.append(ErrorDetail(message: "expected boolean", location: "query.includeArchived", value: .string(text)))
            }
            var limit = PageRequest.defaultLimit
            do {
                limit = try PageRequest(limit: limitText, cursor: nil).limit
            } catch let error as APIError {
                violations += error.errors
            }
            if !violations.isEmpty { throw APIError.schemaViolations(violations) }
            self.resourceType = resourceType!
            self.limit = limit
            after = try cursor.flatMap { $0.isEmpty ? nil : try MetadataFieldCursor(decoding: $0) }
        }
    }

    static func register(on router: OperationRouter, module: MetadataFieldsModule) {
        router.on(operation) { request, context in
            let parameters = request.uri.queryParameters
            let query = try Query(
                resourceType: parameters["resourceType"].map(String.init),
                includeArchived: parameters["includeArchived"].map(String.init),
                limit: parameters["limit"].map(String.init),
                cursor: parameters["cursor"].map(String.init)
            )
            return try JSONResponse.make(try await module.list(query, caller: try context.organizationCaller()))
        }
    }
}

extension MetadataFieldsModule {
    func list(_ query: ListMetadataFields.Query, caller: OrganizationCaller) async throws -> Page<MetadataFieldResource> {
        try caller.require(ListMetadataFields.requiredScope)
        let after = query.after
        // Exact to the microsecond as text; a bound `Date` is truncated by the driver (see `rowsAfter`).
        let afterCreatedAt = after.map { Timestamp.format($0.createdAt) }
        let fields = try await MetadataFieldRows.fetch(
            """
            \(unescaped: MetadataFieldRows.selection)
            WHERE f.organization_id = \(caller.organizationID)
              AND f.resource_type = \(query.resourceType.rawValue)::metadata_field_resource_type
              AND (\(query.includeArchived) OR f.archived_at IS NULL)
              AND (\(after?.displayOrder)::int IS NULL
                   OR (f.display_order, f.created_at, f.id) > (\(after?.displayOrder)::int, \(afterCreatedAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY f.display_order, f.created_at, f.id
            LIMIT \(query.limit + 1)
            """,
            on: database,
            logger: database.logger
        )
        return Page(rows: fields, limit: query.limit) { MetadataFieldCursor(after: $0).encoded }
    }
}
