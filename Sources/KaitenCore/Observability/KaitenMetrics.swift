import CoreMetrics

/// Every metric Kaiten reports, named in one place. Each role exposes them in Prometheus' text format at
/// `/metrics`, beside Hummingbird's `http_server_request_duration_seconds` per route, method and status.
package enum KaitenMetrics {
    /// How a usage report ended.
    package enum UsageReportOutcome: String, Sendable {
        case accepted, refused, replayed
    }

    /// What became of an event the worker received.
    package enum EventOutcome: String, Sendable {
        /// Every interested consumer committed it.
        case processed
        /// Processed, and a redelivery some consumer's inbox absorbed.
        case duplicate
        /// Acknowledged without consumers: its organization is gone, or nothing wants it.
        case skipped
        case unknownType = "unknown_type"
        /// A consumer failed; the bus delivers it again.
        case retried
        /// Unreadable: moved to the dead-letter exchange.
        case deadLettered = "dead_lettered"
    }

    /// `kaiten_usage_reports_total{outcome}`.
    package static func usageReport(_ outcome: UsageReportOutcome) {
        Counter(label: "kaiten_usage_reports_total", dimensions: [("outcome", outcome.rawValue)]).increment()
    }

    /// `kaiten_events_published_total{relay}`: events a relay handed to the transport and had confirmed.
    package static func eventsPublished(_ count: Int, relay: String) {
        Counter(label: "kaiten_events_published_total", dimensions: [("relay", relay)]).increment(by: count)
    }

    /// `kaiten_events_consumed_total{outcome}`.
    package static func eventConsumed(_ outcome: EventOutcome) {
        Counter(label: "kaiten_events_consumed_total", dimensions: [("outcome", outcome.rawValue)]).increment()
    }

    /// `kaiten_webhook_attempts_total{outcome}` and the histogram `kaiten_webhook_attempt_duration_seconds{outcome}`.
    package static func webhookAttempt(outcome: String, duration: Duration) {
        Counter(label: "kaiten_webhook_attempts_total", dimensions: [("outcome", outcome)]).increment()
        Timer(label: "kaiten_webhook_attempt_duration_seconds", dimensions: [("outcome", outcome)]).recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// `kaiten_relay_lag_seconds`: how long the last event the CDC relay published waited after its commit (0 once
    /// the stream is idle).
    package static func relayLag(seconds: Double) {
        Gauge(label: "kaiten_relay_lag_seconds").record(max(seconds, 0))
    }

    /// `kaiten_relay_lag_bytes`: the WAL written since the position the CDC relay's slot confirmed.
    package static func relayLag(bytes: Double) {
        Gauge(label: "kaiten_relay_lag_bytes").record(bytes)
    }

    /// `kaiten_outbox_backlog_events`: outbox rows the polling relay has yet to publish.
    package static func outboxBacklog(events: Int) {
        Gauge(label: "kaiten_outbox_backlog_events").record(events)
    }

    /// The histogram `kaiten_webhook_delivery_latency_seconds`: from the fan-out recording a message to its
    /// endpoint's 2xx, retries included.
    package static func webhookDelivered(after latency: Double) {
        Timer(label: "kaiten_webhook_delivery_latency_seconds").recordSeconds(max(latency, 0))
    }

    /// `kaiten_db_transactions_active`: transactions under way, holding a pool connection or waiting for one;
    /// beside `kaiten_db_pool_connections_max`, how much of the pool is in demand (above the limit, the rest wait).
    package static func transactionBegan() {
        Meter(label: "kaiten_db_transactions_active").increment()
    }

    package static func transactionEnded() {
        Meter(label: "kaiten_db_transactions_active").decrement()
    }

    /// `kaiten_db_pool_connections_max`: the pool's connection limit.
    package static func poolLimit(_ connections: Int) {
        Gauge(label: "kaiten_db_pool_connections_max").record(connections)
    }
}
