import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Writes one `audit_trail` row per consumed event. An instance-scoped event (outbox header `instance_id`)
/// is linked to its instance while that instance exists.
struct AuditTrailConsumer: EventConsumer {
    let name = "audit-trail"

    func accepts(_ event: EventType) -> Bool { true }

    func consume(_ event: ConsumedEvent, on connection: PostgresConnection, logger: Logger) async throws {
        let instanceID = event.headers["instance_id"].flatMap(UUID.init(uuidString:))
        try await connection.execute(
            """
            INSERT INTO audit_trail (id, organization_id, instance_id, event_name, event_type, occurred_at, payload)
            VALUES (\(event.id), \(event.organizationID),
                    (SELECT id FROM instance WHERE id = \(instanceID) AND organization_id = \(event.organizationID)),
                    \(event.event.name), \(event.event.type), \(event.occurredAt), \(event.data.jsonText)::jsonb)
            ON CONFLICT (id) DO NOTHING
            """,
            logger: logger
        )
    }
}
