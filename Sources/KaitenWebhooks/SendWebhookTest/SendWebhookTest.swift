import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /webhooks/endpoints/{endpointId}/test`: queues a signed test message for this endpoint only,
/// whatever its filter. Its type, `com.kaiten.webhook.v1.test`, is outside the event catalogue, so SDKs
/// parse it as an unknown event.
enum SendWebhookTest {
    static let operation = APIOperation("send-webhook-test", .post, "/webhooks/endpoints/{endpointId}/test")
    static let requiredScope = Scope.write(.webhooks)
    static let event = EventType(name: "WEBHOOK_TEST", type: "com.kaiten.webhook.v1.test")

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { _, context in
            let id = try EndpointPath.id(context, notFound: "SendWebhookTest.NotFound")
            return try JSONResponse.make(try await module.sendTestMessage(id, caller: try context.organizationCaller()), status: .accepted)
        }
    }
}

extension WebhooksModule {
    package func sendTestMessage(_ endpointID: UUID, caller: OrganizationCaller) async throws -> MessageResource {
        try caller.require(SendWebhookTest.requiredScope)
        let messageID = UUID()
        return try await database.transaction { connection in
            _ = try await EndpointRows.find(
                endpointID, organizationID: caller.organizationID, notFound: "SendWebhookTest.NotFound", on: connection, logger: database.logger)
            let body = WebhookPayload.body(
                event: SendWebhookTest.event,
                data: ["endpointId": .string(endpointID.lowercased), "message": "a test delivery requested through the API"]
            )
            try await connection.execute(
                """
                WITH message AS (
                    INSERT INTO webhook_message (id, organization_id, event_name, event_type, payload, target_endpoint_id)
                    VALUES (\(messageID), \(caller.organizationID), \(SendWebhookTest.event.name), \(SendWebhookTest.event.type), \(body), \(endpointID))
                    RETURNING id, sequence
                )
                INSERT INTO webhook_delivery (organization_id, endpoint_id, message_id, sequence, next_attempt_at)
                SELECT \(caller.organizationID), \(endpointID), id, sequence, COALESCE(\(configuration.clock.databaseNow)::timestamptz, now()) FROM message
                """,
                logger: database.logger
            )
            configuration.announceDeliveriesOnCommit()
            return try await MessageRows.find(messageID, endpointID: endpointID, on: connection, logger: database.logger)!
        }
    }
}
