import Foundation
import HTTPTypes
import KaitenAuditTrail
import KaitenCore
import KaitenPipeline
import PostgresNIO
import Testing

@Suite struct PollingRelayTests {
    struct Refusing: EventPublisher {
        func publish(_ envelopes: [CloudEventEnvelope]) async throws { throw CancellationError() }
    }

    @Test func committedEventsReachTheConsumersAndAreMarkedPublished() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            for name in ["Acme", "Globex", "Initech"] {
                _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": .string(name)])
            }
            let dispatcher = EventDispatcher(database: kaiten.database, consumers: [AuditTrailModule(database: kaiten.database).consumer])
            let relay = PollingRelay(database: kaiten.database, publisher: InProcessBus(dispatcher: dispatcher))
            let events = try await kaiten.count("SELECT count(*) FROM outbox_events")
            #expect(try await relay.relayBatch() == events)
            #expect(try await relay.relayBatch() == 0)
            #expect(try await kaiten.count("SELECT count(*) FROM outbox_events WHERE published_at IS NULL") == 0)
            #expect(try await kaiten.count("SELECT count(*) FROM audit_trail WHERE event_name = 'CUSTOMER_CREATED'") == 3)
        }
    }

    @Test func anIdleRelayPublishesAWriteAsItCommitsNotAtItsNextLook() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let dispatcher = EventDispatcher(database: kaiten.database, consumers: [AuditTrailModule(database: kaiten.database).consumer])
            var configuration = PollingRelay.Configuration()
            configuration.idleInterval = .seconds(3600)
            let relay = PollingRelay(database: kaiten.database, publisher: InProcessBus(dispatcher: dispatcher), configuration: configuration)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                try await eventually("the organization's events published") {
                    try await kaiten.count("SELECT count(*) FROM outbox_events WHERE published_at IS NULL") == 0
                }
                _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme"])
                try await eventually("the customer's event in the audit trail, long before the relay's hourly look") {
                    try await kaiten.count("SELECT count(*) FROM audit_trail WHERE event_name = 'CUSTOMER_CREATED'") == 1
                }
                group.cancelAll()
            }
        }
    }

    @Test func aFailedPublishIsRetriedLaterAndGivenUpAfterTheLastAttempt() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme"])
            var configuration = PollingRelay.Configuration()
            configuration.maximumAttempts = 2
            // A backoff no slow machine outlasts between two batches; the test makes the rows due by hand.
            configuration.firstRetryDelay = .seconds(3600)
            configuration.maximumRetryDelay = .seconds(3600)
            let failing = PollingRelay(database: kaiten.database, publisher: Refusing(), configuration: configuration)
            let pending = try await kaiten.count("SELECT count(*) FROM outbox_events")
            #expect(try await failing.relayBatch() == pending)
            #expect(try await failing.relayBatch() == 0, "a failed row waits for its backoff")
            try await kaiten.database.client.query("UPDATE outbox_events SET relay_available_at = now()", logger: kaiten.database.logger)
            #expect(try await failing.relayBatch() == pending)
            try await kaiten.database.client.query("UPDATE outbox_events SET relay_available_at = now()", logger: kaiten.database.logger)
            #expect(try await failing.relayBatch() == 0, "after the last attempt the row is failed, not retried")
            #expect(
                try await kaiten.count("SELECT count(*) FROM outbox_events WHERE relay_failed_at IS NOT NULL AND relay_last_error IS NOT NULL")
                    == pending)
        }
    }

    @Test func concurrentRelaysShareTheRowsWithoutPublishingOneTwice() async throws {
        actor Recorder: EventPublisher {
            var ids: [String] = []
            func publish(_ envelopes: [CloudEventEnvelope]) async throws {
                ids += envelopes.compactMap(\.messageID)
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        try await TestKaiten.run { kaiten in
            let (organization, _) = try await kaiten.organization()
            try await kaiten.database.client.query(
                """
                INSERT INTO outbox_events (organization_id, event_name, event_type, data)
                SELECT \(UUID(uuidString: organization)!), 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', jsonb_build_object('n', n)
                FROM generate_series(1, 300) AS n
                """,
                logger: kaiten.database.logger
            )
            let recorder = Recorder()
            var configuration = PollingRelay.Configuration()
            configuration.batchSize = 25
            let relay = PollingRelay(database: kaiten.database, publisher: recorder, configuration: configuration)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { while try await relay.relayBatch() > 0 {} }
                }
                try await group.waitForAll()
            }
            let ids = await recorder.ids
            #expect(ids.count >= 300 && Set(ids).count == ids.count)
        }
    }
}
