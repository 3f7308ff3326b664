import Foundation
import KaitenCore
import KaitenPipeline
import KaitenTestSupport
import PostgresNIO
import ServiceLifecycle
import Testing

/// The retention sweep deletes what has served its purpose, and only that.
@Suite struct RetentionSweeperTests {
    static func sweeper(_ kaiten: TestKaiten, mode: RelayMode) -> RetentionSweeper {
        var configuration = RetentionSweeper.Configuration()
        configuration.relayMode = mode
        configuration.batchSize = 2
        return RetentionSweeper(database: kaiten.database, configuration: configuration)
    }

    @Test func oldRelayedOutboxRowsOldInboxRowsAndLongRetiredTokensGo() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, _) = try await kaiten.organization()
            let organizationID = UUID(uuidString: organization)!
            let old = Date().addingTimeInterval(-169 * 3600)
            let tokens = try await kaiten.database.all(
                "SELECT id FROM token ORDER BY created_at, id", as: UUID.self, logger: kaiten.database.logger)
            let minted = [try await kaiten.organization().id, try await kaiten.organization().id, try await kaiten.organization().id]
            let retired = try await kaiten.database.all(
                "SELECT id FROM token WHERE organization_id = ANY(\(minted.map { UUID(uuidString: $0)! })) ORDER BY organization_id",
                as: UUID.self, logger: kaiten.database.logger
            )
            #expect(retired.count == 3)
            try await kaiten.database.client.query(
                """
                UPDATE token SET revoked_date = CASE id WHEN \(retired[0]) THEN now() - interval '2161 hours' WHEN \(retired[2]) THEN now() - interval '2159 hours' END,
                                 expires_at = CASE id WHEN \(retired[1]) THEN now() - interval '2161 hours' END
                WHERE id = ANY(\(retired))
                """,
                logger: kaiten.database.logger
            )

            try await kaiten.database.client.query("DELETE FROM outbox_events", logger: kaiten.database.logger)
            try await kaiten.database.client.query(
                """
                INSERT INTO outbox_events (organization_id, event_name, event_type, data, occurred_at, published_at, relay_failed_at)
                SELECT \(organizationID), 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', jsonb_build_object('label', label), occurred_at, published_at, failed_at
                FROM (VALUES
                    ('old published', \(old), now(), NULL::timestamptz), ('old published', \(old), now(), NULL), ('old published', \(old), now(), NULL),
                    ('old failed', \(old), NULL, now()),
                    ('old pending', \(old), NULL, NULL),
                    ('recent published', now() - interval '167 hours', now(), NULL)
                ) AS rows (label, occurred_at, published_at, failed_at)
                """,
                logger: kaiten.database.logger
            )
            try await kaiten.database.client.query(
                """
                INSERT INTO inbox_events (organization_id, source, message_id, consumer, processed_at)
                VALUES (\(organizationID), 'debezium:outbox_events', 'old', 'audit-trail', \(old)),
                       (\(organizationID), 'debezium:outbox_events', 'recent', 'audit-trail', now() - interval '167 hours')
                """,
                logger: kaiten.database.logger
            )
            let swept = try #require(try await Self.sweeper(kaiten, mode: .poll).sweep())
            #expect(swept == RetentionSweeper.Swept(outboxEvents: 4, inboxEvents: 1, retiredTokens: 2))
            let outbox = try await kaiten.database.all(
                "SELECT data->>'label' FROM outbox_events ORDER BY 1", as: String.self, logger: kaiten.database.logger)
            #expect(outbox == ["old pending", "recent published"], "an unpublished row waits for the polling relay")
            let inbox = try await kaiten.database.all("SELECT message_id FROM inbox_events", as: String.self, logger: kaiten.database.logger)
            #expect(inbox == ["recent"])
            let remaining = try await kaiten.database.all("SELECT id FROM token", as: UUID.self, logger: kaiten.database.logger)
            #expect(tokens.allSatisfy(remaining.contains) && remaining.contains(retired[2]))
            #expect(!remaining.contains(retired[0]) && !remaining.contains(retired[1]))

            // With CDC rows are never marked: age alone decides.
            #expect(try await Self.sweeper(kaiten, mode: .cdc).sweep() == RetentionSweeper.Swept(outboxEvents: 1))
            #expect(try await kaiten.count("SELECT count(*) FROM outbox_events") == 1)
        }
    }

    /// Passes run on the sweeper's clock, the first after the initial delay and then one per interval, and cut off
    /// by the clock's time: a test sees a row age past the retention without waiting for it.
    @Test func passesFollowTheClockAndCutOffByItsTime() async throws {
        try await TestKaiten.run { kaiten in
            let organizationID = UUID(uuidString: try await kaiten.organization().id)!
            let clock = ManualClock()
            try await kaiten.database.client.query("DELETE FROM outbox_events", logger: kaiten.database.logger)
            // Relayed 167.5 hours before the clock's start: inside the 168-hour retention for the clock's first 30 minutes.
            let relayed = clock.origin.addingTimeInterval(-167.5 * 3600)
            try await kaiten.database.client.query(
                """
                INSERT INTO outbox_events (organization_id, event_name, event_type, data, occurred_at, published_at)
                VALUES (\(organizationID), 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', '{}', \(relayed), \(relayed))
                """,
                logger: kaiten.database.logger
            )
            let configuration = RetentionSweeper.Configuration()
            let sweeper = RetentionSweeper(database: kaiten.database, configuration: configuration, clock: clock)
            let services = ServiceGroup(services: [sweeper], logger: kaiten.database.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await services.run() }
                // The sweeper is one task: asleep on the clock, it has finished its pass.
                try await eventually("the sweeper waits out its initial delay") { clock.sleeperCount == 1 }
                clock.advance(by: configuration.initialDelay)
                try await eventually("the first pass done") { clock.sleeperCount == 1 }
                #expect(try await kaiten.count("SELECT count(*) FROM outbox_events") == 1, "a row inside the retention stays")
                clock.advance(by: configuration.interval - .seconds(1))
                #expect(clock.sleeperCount == 1)
                #expect(try await kaiten.count("SELECT count(*) FROM outbox_events") == 1, "no pass before the interval ends")
                clock.advance(by: .seconds(1))
                try await eventually("the second pass done") { clock.sleeperCount == 1 }
                #expect(try await kaiten.count("SELECT count(*) FROM outbox_events") == 0, "past the retention by the clock, the row goes")
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func onlyTheReplicaHoldingTheLockSweeps() async throws {
        try await TestKaiten.run { kaiten in
            let sweeper = Self.sweeper(kaiten, mode: .poll)
            try await kaiten.database.client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(\(RetentionSweeper.lockKey))", logger: kaiten.database.logger)
                #expect(try await sweeper.sweep() == nil)
                try await connection.query("SELECT pg_advisory_unlock(\(RetentionSweeper.lockKey))", logger: kaiten.database.logger)
            }
            #expect(try await sweeper.sweep() == RetentionSweeper.Swept())
        }
    }
}
