import Foundation
import HTTPTypes
import KaitenCore
import KaitenIdentity
import PostgresNIO
import Testing

/// A write and its event commit together or not at all.
@Suite struct OutboxAtomicityTests {
    @Test func aCommittedWriteRecordsItsEventWithTheRequestsTraceContext() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            let created = try await kaiten.core.json(
                .post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme"], headers: [HTTPField.Name("traceparent")!: traceparent]
            )
            #expect(created.status == .created)
            let event = try await kaiten.database.client.first(
                "SELECT event_name, event_type, data->>'slug', headers->>'traceparent' FROM outbox_events WHERE organization_id = \(UUID(uuidString: organization)!) AND event_name = 'CUSTOMER_CREATED'",
                as: (String, String, String, String?).self,
                logger: kaiten.database.logger
            )
            #expect(event?.0 == "CUSTOMER_CREATED")
            #expect(event?.1 == "com.kaiten.customer.v1.created")
            #expect(event?.2 == "acme")
            #expect(event?.3 == traceparent)
        }
    }

    @Test func aFailedWriteLeavesNoEvent() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            #expect(try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme"]).status == .created)
            let before = try await kaiten.count("SELECT count(*) FROM outbox_events WHERE event_name LIKE 'CUSTOMER_%'")
            let conflict = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme again", "slug": "acme"])
            #expect(conflict.status == .conflict)
            #expect(conflict.json?["code"] == .string("CreateCustomer.SlugConflict"))
            #expect(try await kaiten.count("SELECT count(*) FROM outbox_events WHERE event_name LIKE 'CUSTOMER_%'") == before)
            #expect(try await kaiten.count("SELECT count(*) FROM customer") == 1)
        }
    }

    @Test func aFailedEventInsertLeavesNoWrite() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            try await kaiten.database.client.query(
                """
                CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$
                """,
                logger: kaiten.database.logger
            )
            try await kaiten.database.client.query(
                "CREATE TRIGGER refuse_customer_events BEFORE INSERT ON outbox_events FOR EACH ROW WHEN (NEW.event_name LIKE 'CUSTOMER_%') EXECUTE FUNCTION refuse_events()",
                logger: kaiten.database.logger
            )
            let failed = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme"])
            #expect(failed.status == .internalServerError)
            #expect(failed.json?["code"] == .string("INTERNAL"))
            #expect(failed.json?["errorId"]?.stringValue != nil)
            #expect(try await kaiten.count("SELECT count(*) FROM customer") == 0)
            try await kaiten.database.client.query("DROP TRIGGER refuse_customer_events ON outbox_events", logger: kaiten.database.logger)
            #expect(try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme"]).status == .created)
        }
    }

    @Test func updateAndDeleteEventsCarryTheAfterAndBeforeStates() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme", "domain": "acme.com"])
            #expect(try await kaiten.core.json(.put, "/api/customers/acme", token: token, body: ["name": "Acme Inc"]).status == .noContent)
            #expect(try await kaiten.core.json(.delete, "/api/customers/acme", token: token).status == .noContent)
            let rows = try await kaiten.database.client.all(
                "SELECT event_name, data->>'name', data->>'domain' FROM outbox_events WHERE event_name LIKE 'CUSTOMER_%' ORDER BY occurred_at, event_name",
                as: (String, String, String?).self,
                logger: kaiten.database.logger
            )
            #expect(rows.map(\.0) == ["CUSTOMER_CREATED", "CUSTOMER_UPDATED", "CUSTOMER_DELETED"])
            #expect(rows[1].1 == "Acme Inc" && rows[1].2 == nil)
            #expect(rows[2].1 == "Acme Inc")
        }
    }
}
