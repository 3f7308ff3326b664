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
}
