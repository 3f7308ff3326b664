import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /webhooks/endpoints/{endpointId}/replay`: sends the endpoint, again, every message of its
/// organization that its filter takes and that was recorded in `[since, until)` — delivered or not, and
/// including events from before the endpoint existed — with a fresh round of the retry schedule. Messages
/// still pending are left as they are. `since` may go back as far as messages are kept.
package enum ReplayWebhookEndpoint {
    static let operation = APIOperation("replay-webhook-endpoint", .post, "/webhooks/endpoints/{endpointId}/replay")
    static let requiredScope = Scope.write(.webhooks)
    static let errorCodePrefix = "ReplayWebhookEndpoint"

    package struct Command {
        let since: Date
        let until: Date?

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            let since = reader.timestamp("since", required: true)
            until = reader.timestamp("until", nullable: true)
            try reader.finish()
            self.since = since!
        }
    }

    package struct Replayed: Encodable {
        package let messages: Int
    }

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { request, context in
            let id = try EndpointPath.id(context, notFound: "\(errorCodePrefix).NotFound")
            let command = try Command(body: try await request.jsonBody())
            return try JSONResponse.make(try await module.replay(id, command, caller: try context.organizationCaller()), status: .accepted)
        }
    }
}

extension WebhooksModule {
    package func replay(
        _ endpointID: UUID, _ command: ReplayWebhookEndpoint.Command, caller: OrganizationCaller
    ) async throws -> ReplayWebhookEndpoint.Replayed {
        try caller.require(ReplayWebhookEndpoint.requiredScope)
        let oldest = Date().addingTimeInterval(-configuration.messageRetention.seconds)
        guard command.since >= oldest else {
            throw APIError.unprocessable(
                "\(ReplayWebhookEndpoint.errorCodePrefix).SinceTooOld",
                "messages are kept for \(WebhookSender.describe(configuration.messageRetention)); since must be after \(Timestamp.format(oldest))",
                errors: [
                    ErrorDetail(
                        message: "expected a time within the retention", location: "body.since", value: .string(Timestamp.format(command.since)))
                ]
            )
        }
        if let until = command.until, until <= command.since {
            throw APIError.unprocessable(
                "\(ReplayWebhookEndpoint.errorCodePrefix).EmptyRange", "until must be after since",
                errors: [ErrorDetail(message: "expected a time after since", location: "body.until", value: .string(Timestamp.format(until)))]
            )
        }
        return try await database.transaction { connection in
            _ = try await EndpointRows.find(
                endpointID, organizationID: caller.organizationID, notFound: "\(ReplayWebhookEndpoint.errorCodePrefix).NotFound", on: connection,
                logger: database.logger
            )
            let count =
                try await connection.first(
                    """
                    WITH replayed AS (
                        INSERT INTO webhook_delivery (organization_id, endpoint_id, message_id, sequence, next_attempt_at)
                        SELECT m.organization_id, e.id, m.id, m.sequence, COALESCE(\(configuration.clock.databaseNow)::timestamptz, now())
                        FROM webhook_endpoint e JOIN webhook_message m ON m.organization_id = e.organization_id
                        WHERE e.id = \(endpointID) AND e.organization_id = \(caller.organizationID)
                          AND m.created_at >= \(command.since) AND (\(command.until)::timestamptz IS NULL OR m.created_at < \(command.until))
                          AND (m.target_endpoint_id = e.id
                               OR (m.target_endpoint_id IS NULL AND (e.event_types IS NULL OR m.event_type = ANY (e.event_types))))
                        ON CONFLICT (endpoint_id, message_id) DO UPDATE
                        SET status = 'pending', trigger = 'scheduled', round_start = webhook_delivery.attempts,
                            next_attempt_at = EXCLUDED.next_attempt_at
                        WHERE webhook_delivery.status <> 'pending'
                        RETURNING 1
                    )
                    SELECT count(*)::int FROM replayed
                    """,
                    as: Int.self,
                    logger: database.logger
                ) ?? 0
            configuration.announceDeliveriesOnCommit()
            return ReplayWebhookEndpoint.Replayed(messages: count)
        }
    }
}
