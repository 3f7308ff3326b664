import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /webhooks/endpoints/{endpointId}/messages/{messageId}/retry`: one more attempt now. A message
/// still waiting for a scheduled retry is simply sent now; a failed (or succeeded) one gets a single manual
/// attempt, not a new schedule.
enum RetryWebhookMessage {
    static let operation = APIOperation("retry-webhook-message", .post, "/webhooks/endpoints/{endpointId}/messages/{messageId}/retry")
    static let requiredScope = Scope.write(.webhooks)
    static let notFound = "RetryWebhookMessage.NotFound"

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { _, context in
            let endpointID = try EndpointPath.id(context, notFound: notFound)
            let messageText = try context.parameters.path("messageId")
            guard let messageID = UUID(uuidString: messageText) else { throw APIError.notFound(notFound, "message \"\(messageText)\" not found") }
            let message = try await module.retryMessage(messageID, endpointID: endpointID, caller: try context.organizationCaller())
            return try JSONResponse.make(message, status: .accepted)
        }
    }
}

extension WebhooksModule {
    package func retryMessage(_ messageID: UUID, endpointID: UUID, caller: OrganizationCaller) async throws -> MessageResource {
        try caller.require(RetryWebhookMessage.requiredScope)
        return try await database.transaction { connection in
            _ = try await EndpointRows.find(
                endpointID, organizationID: caller.organizationID, notFound: RetryWebhookMessage.notFound, on: connection, logger: database.logger)
            let retried = try await connection.first(
                """
                UPDATE webhook_delivery
                SET trigger = CASE WHEN status = 'pending' THEN trigger ELSE 'manual' END, status = 'pending',
                    next_attempt_at = COALESCE(\(configuration.clock.databaseNow)::timestamptz, now())
                WHERE endpoint_id = \(endpointID) AND message_id = \(messageID) AND organization_id = \(caller.organizationID)
                RETURNING id
                """,
                as: UUID.self,
                logger: database.logger
            )
            guard retried != nil, let message = try await MessageRows.find(messageID, endpointID: endpointID, on: connection, logger: database.logger)
            else {
                throw APIError.notFound(RetryWebhookMessage.notFound, "message \"\(messageID.lowercased)\" was never sent to this endpoint")
            }
            configuration.announceDeliveriesOnCommit()
            return message
        }
    }
}
