import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /webhooks/endpoints/{endpointId}/attempts`: every HTTP attempt to the endpoint, newest first, with
/// its status code, duration and the start of the response body; `messageId` narrows it to one message.
enum ListWebhookAttempts {
    static let operation = APIOperation("list-webhook-attempts", .get, "/webhooks/endpoints/{endpointId}/attempts")
    static let requiredScope = Scope.read(.webhooks)

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { request, context in
            let id = try EndpointPath.id(context, notFound: "ListWebhookAttempts.NotFound")
            var messageID: UUID?
            if let text = request.uri.queryParameters["messageId"].map(String.init) {
                guard let parsed = UUID(uuidString: text) else {
                    throw APIError.schemaViolations([
                        ErrorDetail(message: "expected string to be RFC 4122 uuid", location: "query.messageId", value: .string(text))
                    ])
                }
                messageID = parsed
            }
            let page = try request.pageRequest()
            return try JSONResponse.make(
                try await module.listAttempts(id, messageID: messageID, page: page, caller: try context.organizationCaller()))
        }
    }
}

extension WebhooksModule {
    func listAttempts(_ endpointID: UUID, messageID: UUID?, page: PageRequest, caller: OrganizationCaller) async throws -> Page<AttemptResource> {
        try caller.require(ListWebhookAttempts.requiredScope)
        _ = try await EndpointRows.find(
            endpointID, organizationID: caller.organizationID, notFound: "ListWebhookAttempts.NotFound", on: database, logger: database.logger)
        let rows = try await database.all(
            """
            SELECT a.id, a.message_id, a.attempt_number, a.trigger, a.url, a.succeeded, a.response_status, a.response_body, a.error,
                   a.duration_ms, a.created_at
            FROM webhook_attempt a
            WHERE a.endpoint_id = \(endpointID) AND a.organization_id = \(caller.organizationID)
              AND (\(messageID)::uuid IS NULL OR a.message_id = \(messageID))
              AND \(rowsAfter: page, in: "a")
            """,
            as: (UUID, UUID, Int, String, String, Bool, Int?, String?, String?, Int, Date).self,
            logger: database.logger
        )
        let attempts = rows.map { row in
            AttemptResource(
                id: row.0.lowercased, messageId: row.1.lowercased, attemptNumber: row.2, trigger: row.3, url: row.4, succeeded: row.5,
                responseStatusCode: row.6, responseBody: row.7, error: row.8, durationMs: row.9, createdAt: row.10
            )
        }
        return Page(rows: attempts, request: page)
    }
}
