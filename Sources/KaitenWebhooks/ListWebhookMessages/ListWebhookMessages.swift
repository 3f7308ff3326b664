import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /webhooks/endpoints/{endpointId}/messages`: what was (or will be) delivered to the endpoint, newest
/// first, optionally only `pending`, `succeeded` or `failed` ones.
enum ListWebhookMessages {
    static let operation = APIOperation("list-webhook-messages", .get, "/webhooks/endpoints/{endpointId}/messages")
    static let requiredScope = Scope.read(.webhooks)
    static let statuses = ["pending", "succeeded", "failed"]

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { request, context in
            let id = try EndpointPath.id(context, notFound: "ListWebhookMessages.NotFound")
            let status = request.uri.queryParameters["status"].map(String.init)
            if let status, !statuses.contains(status) {
                throw APIError.schemaViolations([
                    ErrorDetail(message: "expected one of \(statuses.joined(separator: ", "))", location: "query.status", value: .string(status))
                ])
            }
            let page = try request.pageRequest()
            return try JSONResponse.make(try await module.listMessages(id, status: status, page: page, caller: try context.organizationCaller()))
        }
    }
}

extension WebhooksModule {
    func listMessages(_ endpointID: UUID, status: String?, page: PageRequest, caller: OrganizationCaller) async throws -> Page<MessageResource> {
        try caller.require(ListWebhookMessages.requiredScope)
        _ = try await EndpointRows.find(
            endpointID, organizationID: caller.organizationID, notFound: "ListWebhookMessages.NotFound", on: database, logger: database.logger)
        let messages = try await MessageRows.fetch(
            """
            \(unescaped: MessageRows.selection)
            WHERE d.endpoint_id = \(endpointID) AND d.organization_id = \(caller.organizationID)
              AND (\(status)::text IS NULL OR d.status = \(status))
              AND \(rowsAfter: page, in: "m")
            """,
            on: database,
            logger: database.logger
        )
        return Page(rows: messages, request: page)
    }
}
