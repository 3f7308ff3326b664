import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// The delivery queue's SQL: leases on endpoints, the head of an endpoint's queue, and recording attempts.
///
/// The unit of mutual exclusion is the endpoint: a delivery service leases an endpoint (`lease_until`),
/// claimed with `FOR UPDATE SKIP LOCKED` so concurrent services never lease the same one, and sends that
/// endpoint's due deliveries one at a time in sequence order. One request per endpoint is in flight, and
/// an endpoint receives its organization's events in the order the fan-out recorded them, except that a
/// delivery waiting for a retry lets later ones pass.
struct DeliveryStore: Sendable {
    struct Head: Sendable {
        let endpointID: UUID
        let organizationID: UUID
        let url: String
        let secrets: [WebhookSecret]
        /// The endpoint's attempts per second at most; nil: unthrottled.
        let throttleRate: Int?
        let deliveryID: UUID
        let messageID: UUID
        let attempts: Int
        /// Attempts made before the current round of the schedule.
        let roundStart: Int
        let trigger: String
        let payload: String
        /// The trace context of the fan-out that recorded the message.
        let traceparent: String?
        /// When the fan-out recorded the message.
        let recordedAt: Date
    }

    let database: Database
    let configuration: WebhooksConfiguration

    var schedule: RetrySchedule {
        RetrySchedule(delays: configuration.retrySchedule, jitter: configuration.jitter, overloadDelay: configuration.overloadDelay)
    }
    /// Long enough for an attempt and the writes around it; a service that dies holds its endpoints this long.
    var lease: Duration { configuration.attemptTimeout * 2 + .seconds(5) }
    /// The statements' "now": the configured clock's, or nil for the database's own `now()` (see ``DatabaseClock``).
    /// Each statement binds it once, as `WITH clock AS (SELECT COALESCE($now::timestamptz, now()) AS now)`, and reads `clock.now`.
    var now: Date? { configuration.clock.databaseNow }

    /// Leases up to `limit` enabled endpoints that have a due delivery, least recently served first.
    func leaseEndpoints(limit: Int) async throws -> [UUID] {
        try await database.all(
            """
            WITH clock AS (SELECT COALESCE(\(now)::timestamptz, now()) AS now), due AS (
                SELECT e.id FROM webhook_endpoint e, clock
                WHERE e.enabled AND e.lease_until < clock.now
                  AND EXISTS (SELECT 1 FROM webhook_delivery d
                              WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= clock.now)
                ORDER BY e.lease_until
                LIMIT \(limit)
                FOR UPDATE OF e SKIP LOCKED
            )
            UPDATE webhook_endpoint e SET lease_until = clock.now + make_interval(secs => \(lease.seconds))
            FROM due, clock WHERE e.id = due.id
            RETURNING e.id
            """,
            as: UUID.self,
            logger: database.logger
        )
    }

    /// The endpoint's first due delivery in sequence order, with what signing and sending it needs.
    func head(of endpointID: UUID, on executor: some SQLExecutor) async throws -> Head? {
        try await firstHead(
            """
            WITH clock AS (SELECT COALESCE(\(now)::timestamptz, now()) AS now)
            \(unescaped: Self.headSelection)
            FROM webhook_endpoint e
            \(unescaped: Self.headJoins)
            WHERE e.id = \(endpointID) AND e.enabled
            ORDER BY d.sequence
            LIMIT 1
            """,
            of: endpointID,
            on: executor
        )
    }

    /// Records an attempt and its consequences, and returns the endpoint's next due delivery when
    /// `continuing` (the lease renewed), or nil: one statement, so one round trip and one commit per delivery.
    ///
    /// The data-modifying clauses all run whatever the query reads, and the query reads the statement's
    /// snapshot: the endpoint comes from its update, and the delivery just recorded is left out by id, since
    /// the snapshot still shows it pending. The deliveries are also filtered by the endpoint's id, not only
    /// through the join: the planner cannot estimate the update's returned rows and would scan every delivery.
    func record(_ outcome: WebhookSender.Outcome, of head: Head, continuing: Bool) async throws -> Head? {
        let attemptNumber = head.attempts + 1
        let delivered = outcome.verdict == .delivered
        // An abort is the receiver deciding about one message: the endpoint answered, so it counts as healthy.
        let answered = delivered || outcome.verdict == .aborted
        let nextDelay: Duration? =
            switch outcome.verdict {
            case .delivered, .gone, .aborted: nil
            case .failed:
                head.trigger == "manual"
                    ? nil
                    : schedule.delay(afterAttempts: attemptNumber - head.roundStart, retryAfter: outcome.retryAfter, overloaded: outcome.overloaded)
            }
        let status = delivered ? "succeeded" : (nextDelay == nil ? "failed" : "pending")
        let gone = outcome.verdict == .gone
        let failingReason = "every attempt failed for \(WebhookSender.describe(configuration.disableAfter))"
        let durationMilliseconds = Int((outcome.duration.seconds * 1000).rounded())
        let window = configuration.disableAfter.seconds
        return try await firstHead(
            """
            WITH clock AS (SELECT COALESCE(\(now)::timestamptz, now()) AS now), attempt AS (
                INSERT INTO webhook_attempt (organization_id, delivery_id, endpoint_id, message_id, attempt_number, trigger, url,
                                             succeeded, response_status, response_body, error, duration_ms)
                VALUES (\(head.organizationID), \(head.deliveryID), \(head.endpointID), \(head.messageID), \(attemptNumber), \(head.trigger),
                        \(head.url), \(delivered), \(outcome.statusCode), \(outcome.responseBody), \(outcome.error), \(durationMilliseconds))
            ), delivery AS (
                UPDATE webhook_delivery
                SET status = \(status), attempts = \(attemptNumber), last_attempt_at = clock.now,
                    next_attempt_at = CASE WHEN \(nextDelay?.seconds)::float8 IS NULL THEN NULL
                                           ELSE clock.now + make_interval(secs => \(nextDelay?.seconds)) END
                FROM clock
                WHERE id = \(head.deliveryID)
            ), e AS (
                UPDATE webhook_endpoint
                SET failing_since = CASE WHEN \(answered) THEN NULL ELSE COALESCE(failing_since, clock.now) END,
                    enabled = enabled AND NOT \(gone)
                              AND (\(answered) OR COALESCE(failing_since, clock.now) > clock.now - make_interval(secs => \(window))),
                    disabled_reason = CASE
                        WHEN NOT enabled THEN disabled_reason
                        WHEN \(gone) THEN 'the endpoint answered 410 Gone'
                        WHEN NOT \(answered) AND COALESCE(failing_since, clock.now) <= clock.now - make_interval(secs => \(window))
                            THEN \(failingReason)
                    END,
                    disabled_at = CASE
                        WHEN NOT enabled THEN disabled_at
                        WHEN \(gone) OR (NOT \(answered) AND COALESCE(failing_since, clock.now) <= clock.now - make_interval(secs => \(window)))
                            THEN clock.now
                    END,
                    lease_until = clock.now + make_interval(secs => \(lease.seconds))
                FROM clock
                WHERE id = \(head.endpointID)
                RETURNING webhook_endpoint.*
            )
            \(unescaped: Self.headSelection)
            FROM e
            \(unescaped: Self.headJoins)
            WHERE \(continuing) AND e.enabled AND d.endpoint_id = \(head.endpointID) AND d.id <> \(head.deliveryID)
            ORDER BY d.sequence
            LIMIT 1
            """,
            of: head.endpointID,
            on: database
        )
    }

    /// What a head needs, read from an endpoint `e` joined as in `headJoins`.
    private static let headSelection = """
        SELECT e.organization_id, e.url, e.secret,
               CASE WHEN e.previous_secret_expires_at > clock.now THEN e.previous_secret END, e.throttle_rate,
               d.id, d.message_id, d.attempts, d.round_start, d.trigger, m.payload, m.traceparent, m.created_at
        """

    /// The endpoint's due deliveries and their messages, by the statement's `clock`.
    private static let headJoins = """
        CROSS JOIN clock
        JOIN webhook_delivery d ON d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= clock.now
        JOIN webhook_message m ON m.id = d.message_id
        """

    private func firstHead(_ query: PostgresQuery, of endpointID: UUID, on executor: some SQLExecutor) async throws -> Head? {
        guard
            let row = try await executor.first(
                query, as: (UUID, String, String, String?, Int?, UUID, UUID, Int, Int, String, String, String?, Date).self, logger: database.logger
            )
        else { return nil }
        let secrets = [row.2, row.3].compactMap { $0.flatMap(WebhookSecret.init) }
        return Head(
            endpointID: endpointID, organizationID: row.0, url: row.1, secrets: secrets, throttleRate: row.4,
            deliveryID: row.5, messageID: row.6, attempts: row.7, roundStart: row.8, trigger: row.9, payload: row.10,
            traceparent: row.11, recordedAt: row.12
        )
    }

    /// Gives the endpoint back; stamping the release time sends it to the back of the claim order. A throttled
    /// endpoint stays leased for `pause`, until its next attempt is allowed, so no service claims it earlier.
    func release(_ endpointID: UUID, pause: Duration = .zero) async throws {
        try await database.execute(
            """
            UPDATE webhook_endpoint SET lease_until = COALESCE(\(now)::timestamptz, now()) + make_interval(secs => \(max(pause, .zero).seconds))
            WHERE id = \(endpointID)
            """,
            logger: database.logger
        )
    }

    /// Deletes messages past the retention that no delivery still waits on; returns how many.
    @discardableResult
    func sweepExpiredMessages() async throws -> Int {
        try await database.first(
            """
            WITH expired AS (
                DELETE FROM webhook_message m
                WHERE m.id IN (
                    SELECT id FROM webhook_message
                    WHERE created_at < COALESCE(\(now)::timestamptz, now()) - make_interval(secs => \(configuration.messageRetention.seconds))
                    ORDER BY created_at LIMIT 5000
                )
                AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.message_id = m.id AND d.status = 'pending')
                RETURNING 1
            )
            SELECT count(*)::int FROM expired
            """,
            as: Int.self,
            logger: database.logger
        ) ?? 0
    }
}
