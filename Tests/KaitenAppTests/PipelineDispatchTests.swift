import Foundation
import HTTPTypes
import KaitenAuditTrail
import KaitenCore
import KaitenIdentity
import KaitenPipeline
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The worker's side of the pipeline: inbox deduplication, the audit trail and its endpoint.
@Suite struct PipelineDispatchTests {
    /// The outbox rows of an organization, as the relay would read them.
    static func outbox(_ kaiten: TestKaiten, organization: String) async throws -> [OutboxRecord] {
        let rows = try await kaiten.database.all(
            """
            SELECT id, organization_id, event_name, event_type, occurred_at, data::text, COALESCE(headers::text, '{}')
            FROM outbox_events WHERE organization_id = \(UUID(uuidString: organization)!) ORDER BY occurred_at, id
            """,
            as: (UUID, UUID, String, String, Date, String, String).self,
            logger: kaiten.database.logger
        )
        return try rows.map { row in
            let headers = try JSONValue.parse(Array(row.6.utf8))
            return OutboxRecord(
                id: row.0, organizationID: row.1, eventName: row.2, eventType: row.3, occurredAt: row.4,
                data: try JSONValue.parse(Array(row.5.utf8)),
                headers: (headers.objectValue ?? [:]).compactMapValues(\.stringValue)
            )
        }
    }

    @Test func eachConsumerProcessesAnEventOnceHoweverOftenItIsDelivered() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme"])
            let records = try await Self.outbox(kaiten, organization: organization).filter { $0.eventName == "CUSTOMER_CREATED" }
            let dispatcher = EventDispatcher(database: kaiten.database, consumers: [AuditTrailModule(database: kaiten.database).consumer])
            let envelope = CloudEventEnvelope(record: try #require(records.first), position: "test")
            #expect(await dispatcher.dispatch(envelope) == .processed)
            #expect(await dispatcher.dispatch(try CloudEventEnvelope(bytes: envelope.bytes)) == .processed)
            #expect(dispatcher.statistics.duplicates.load(ordering: .relaxed) == 1)
            #expect(try await kaiten.count("SELECT count(*) FROM audit_trail WHERE event_name = 'CUSTOMER_CREATED'") == 1)
            #expect(try await kaiten.count("SELECT count(*) FROM inbox_events WHERE consumer = 'audit-trail'") == 1)
        }
    }

    @Test func unknownTypesAreAcknowledgedAndCountedAndGoneOrganizationsSkipped() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, _) = try await kaiten.organization()
            let dispatcher = EventDispatcher(database: kaiten.database, consumers: [AuditTrailModule(database: kaiten.database).consumer])
            let unknown = OutboxRecord(
                id: UUID(), organizationID: UUID(uuidString: organization)!, eventName: "SOMETHING_NEW",
                eventType: "com.kaiten.something.v9.happened", occurredAt: Date(), data: [:], headers: [:]
            )
            #expect(
                await dispatcher.dispatch(CloudEventEnvelope(record: unknown, position: "test"))
                    == .skipped("unknown event type com.kaiten.something.v9.happened"))
            #expect(dispatcher.statistics.unknownTypes.load(ordering: .relaxed) == 1)
            let orphan = OutboxRecord(
                id: UUID(), organizationID: UUID(), eventName: "CUSTOMER_CREATED",
                eventType: "com.kaiten.customer.v1.created", occurredAt: Date(), data: [:], headers: [:]
            )
            guard case .skipped = await dispatcher.dispatch(CloudEventEnvelope(record: orphan, position: "test")) else {
                Issue.record("an event of a deleted organization should be skipped")
                return
            }
            #expect(await dispatcher.dispatch(.heartbeat) == .processed)
            #expect(try await kaiten.count("SELECT count(*) FROM audit_trail") == 0)
        }
    }

    @Test func aFailingConsumerIsRetriedWhileTheOthersKeepTheirWork() async throws {
        struct Failing: EventConsumer {
            let name = "failing"
            func accepts(_ event: EventType) -> Bool { true }
            func consume(_ event: ConsumedEvent, on connection: PostgresConnection, logger: Logging.Logger) async throws {
                try await connection.query("SELECT 1/0", logger: logger)
            }
        }
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme"])
            let record = try #require(try await Self.outbox(kaiten, organization: organization).first { $0.eventName == "CUSTOMER_CREATED" })
            let audit = AuditTrailModule(database: kaiten.database).consumer
            let failing = EventDispatcher(database: kaiten.database, consumers: [audit, Failing()])
            guard case .retry = await failing.dispatch(CloudEventEnvelope(record: record, position: "test")) else {
                Issue.record("a failing consumer should make the event retried")
                return
            }
            #expect(try await kaiten.count("SELECT count(*) FROM inbox_events WHERE consumer = 'failing'") == 0)
            let healthy = EventDispatcher(database: kaiten.database, consumers: [audit])
            #expect(await healthy.dispatch(CloudEventEnvelope(record: record, position: "test")) == .processed)
            #expect(healthy.statistics.duplicates.load(ordering: .relaxed) == 1)
            #expect(try await kaiten.count("SELECT count(*) FROM audit_trail") == 1)
        }
    }

    @Test func theAuditTrailOfAnInstanceIsListedNewestFirstWithFilters() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let organizationID = UUID(uuidString: organization)!
            let instanceID = UUID()
            try await kaiten.database.client.query(
                """
                WITH c AS (INSERT INTO customer (organization_id, name, slug) VALUES (\(organizationID), 'C', 'c') RETURNING id),
                     f AS (INSERT INTO license_family (organization_id, slug) VALUES (\(organizationID), 'pro') RETURNING id),
                     l AS (INSERT INTO license (organization_id, family_id, name, slug, type, version, version_name)
                           SELECT \(organizationID), f.id, 'Pro', 'pro', 'PAID', 1, 'Version - 1' FROM f RETURNING id)
                INSERT INTO instance (id, organization_id, name, slug, customer_id, license_id)
                SELECT \(instanceID), \(organizationID), 'Prod', 'prod', c.id, l.id FROM c, l
                """,
                logger: kaiten.database.logger
            )
            let dispatcher = EventDispatcher(database: kaiten.database, consumers: [AuditTrailModule(database: kaiten.database).consumer])
            let start = Timestamp.parse("2026-01-01T00:00:00Z")!
            for (offset, name) in ["INSTANCE_CREATED", "INSTANCE_UPDATED", "INSTANCE_UPDATED"].enumerated() {
                let type = EventCatalogue.all.first { $0.name == name }!.type
                let record = OutboxRecord(
                    id: UUID(), organizationID: organizationID, eventName: name, eventType: type,
                    occurredAt: start.addingTimeInterval(Double(offset) * 60), data: ["n": .integer(Int64(offset))],
                    headers: ["instance_id": instanceID.lowercased]
                )
                #expect(await dispatcher.dispatch(CloudEventEnvelope(record: record, position: "test")) == .processed)
            }
            let all = try await kaiten.core.json(.get, "/api/instances/prod/audit-trails?limit=2", token: token)
            #expect(all.status == .ok)
            #expect(all.json?["items"]?.arrayValue?.map { $0["payload"]?["n"] } == [.integer(2), .integer(1)])
            #expect(all.json?["items"]?.arrayValue?.first?["instanceSlug"] == "prod")
            let cursor = try #require(all.json?["nextCursor"]?.stringValue)
            let rest = try await kaiten.core.json(.get, "/api/instances/prod/audit-trails?limit=2&cursor=\(cursor)", token: token)
            #expect(rest.json?["items"]?.arrayValue?.map { $0["eventName"] } == ["INSTANCE_CREATED"])
            #expect(rest.json?["hasMore"] == .bool(false))
            let created = try await kaiten.core.json(.get, "/api/instances/prod/audit-trails?event_name=INSTANCE_CREATED", token: token)
            #expect(created.json?["items"]?.arrayValue?.count == 1)
            let window = try await kaiten.core.json(
                .get, "/api/instances/prod/audit-trails?after=2026-01-01T00:01:00Z&before=2026-01-01T00:01:00Z", token: token
            )
            #expect(window.json?["items"]?.arrayValue?.count == 1)
            let invalid = try await kaiten.core.json(.get, "/api/instances/prod/audit-trails?after=yesterday", token: token)
            #expect(invalid.status == .unprocessableContent)
            let missing = try await kaiten.core.json(.get, "/api/instances/nope/audit-trails", token: token)
            #expect(missing.status == .notFound && missing.json?["code"] == "GetAuditTrails.InstanceNotFound")
        }
    }
}
