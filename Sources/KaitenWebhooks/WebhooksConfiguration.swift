import Foundation
import KaitenCore

/// How webhooks are delivered; tests compress the schedule and allow their loopback receivers.
///
/// - Configuration keys (environment):
///   - `KAITEN_WEBHOOKS_ALLOW_PRIVATE` (`1` or `0`; off, but on in `kaiten dev`): deliver to loopback, private, link-local,
///     unique-local and other non-public addresses.
///   - `KAITEN_WEBHOOKS_RETRY_SCHEDULE` (comma-separated Go durations, default
///     `0s,5s,5m,30m,2h,5h,10h,10h`): the delay before each attempt, the first one included.
///   - `KAITEN_WEBHOOKS_RETRY_JITTER` (fraction, default 0.2): each delay varies by up to ± this share.
///   - `KAITEN_WEBHOOKS_ATTEMPT_TIMEOUT` (Go duration, default 15s): the whole HTTP exchange of one attempt.
///   - `KAITEN_WEBHOOKS_OVERLOAD_DELAY` (Go duration, default 60s): the least an attempt answered 429 or timed
///     out waits before the next one, whatever the schedule says.
///   - `KAITEN_WEBHOOKS_DISABLE_AFTER` (Go duration, default 120h): an endpoint whose attempts all failed for
///     this long is disabled.
///   - `KAITEN_WEBHOOKS_SECRET_OVERLAP` (Go duration, default 24h): how long a rotated-out secret still signs.
///   - `KAITEN_WEBHOOKS_CONCURRENCY` (int, default 64): endpoints served at once by one process.
///   - `KAITEN_WEBHOOKS_RETENTION` (Go duration, default 336h): how long messages are kept (and replayable).
package struct WebhooksConfiguration: Sendable {
    package var allowPrivateAddresses = false
    package var retrySchedule: [Duration] = [
        .zero, .seconds(5), .seconds(300), .seconds(1800), .seconds(7200), .seconds(18000), .seconds(36000), .seconds(36000),
    ]
    package var jitter = 0.2
    package var attemptTimeout: Duration = .seconds(15)
    package var overloadDelay: Duration = .seconds(60)
    package var disableAfter: Duration = .seconds(5 * 24 * 3600)
    package var secretOverlap: Duration = .seconds(24 * 3600)
    package var maximumConcurrentEndpoints = 64
    package var messageRetention: Duration = .seconds(14 * 24 * 3600)
    /// How often an idle delivery service looks for due deliveries. A fan-out in the same process wakes it at
    /// once (``DeliveryStore/queued``), so this bounds how late a retry, or a delivery queued by another process,
    /// starts.
    package var pollInterval: Duration = .seconds(1)
    /// Consecutive deliveries one endpoint gets before its lease is given back for others to claim.
    package var deliveriesPerLease = 100
    /// How much of a response body an attempt keeps.
    package var responseBodyLimit = 4096
    /// Paces delivery (the retry schedule, throttles, polling, the retention sweep) and gives the delivery queue's
    /// SQL its "now" (see ``DatabaseClock``): the database's own in production; tests move a manual clock on.
    package var clock: any DatabaseClock = ContinuousClock()
    /// How an endpoint's host name becomes the address a delivery connects to.
    package var hostLookUp: HostLookUp = .system
    /// Fired once a transaction that queued deliveries has committed: the delivery service running with this
    /// configuration in the same process (every worker's, and `kaiten dev`'s) leases them at once instead of at
    /// its next look. Copies of a configuration share it.
    private(set) var deliveriesQueued = WakeSignal()

    package init() {}

    /// `defaults` with what `environment` sets.
    package init(environment: [String: String], defaults: WebhooksConfiguration = WebhooksConfiguration()) throws {
        self = defaults
        if let flag = environment["KAITEN_WEBHOOKS_ALLOW_PRIVATE"] {
            switch flag.lowercased() {
            case "1", "true", "yes": allowPrivateAddresses = true
            case "0", "false", "no": allowPrivateAddresses = false
            default: throw WebhooksConfigurationError(key: "KAITEN_WEBHOOKS_ALLOW_PRIVATE", reason: "expected 1 or 0")
            }
        }
        if let text = environment["KAITEN_WEBHOOKS_RETRY_SCHEDULE"] {
            let delays = text.split(separator: ",").map { GoDuration.seconds($0.trimmingCharacters(in: .whitespaces)) }
            guard !delays.isEmpty, delays.allSatisfy({ ($0 ?? -1) >= 0 }) else {
                throw WebhooksConfigurationError(key: "KAITEN_WEBHOOKS_RETRY_SCHEDULE", reason: "expected comma-separated durations such as 0s,5s,5m")
            }
            retrySchedule = delays.map { Duration.seconds($0!) }
        }
        if let text = environment["KAITEN_WEBHOOKS_RETRY_JITTER"] {
            guard let value = Double(text), (0...1).contains(value) else {
                throw WebhooksConfigurationError(key: "KAITEN_WEBHOOKS_RETRY_JITTER", reason: "expected a fraction between 0 and 1")
            }
            jitter = value
        }
        attemptTimeout = try Self.duration(environment, "KAITEN_WEBHOOKS_ATTEMPT_TIMEOUT") ?? attemptTimeout
        overloadDelay = try Self.duration(environment, "KAITEN_WEBHOOKS_OVERLOAD_DELAY") ?? overloadDelay
        disableAfter = try Self.duration(environment, "KAITEN_WEBHOOKS_DISABLE_AFTER") ?? disableAfter
        secretOverlap = try Self.duration(environment, "KAITEN_WEBHOOKS_SECRET_OVERLAP") ?? secretOverlap
        messageRetention = try Self.duration(environment, "KAITEN_WEBHOOKS_RETENTION") ?? messageRetention
        if let text = environment["KAITEN_WEBHOOKS_CONCURRENCY"] {
            guard let value = Int(text), value > 0 else {
                throw WebhooksConfigurationError(key: "KAITEN_WEBHOOKS_CONCURRENCY", reason: "expected a positive integer")
            }
            maximumConcurrentEndpoints = value
        }
    }

    private static func duration(_ environment: [String: String], _ key: String) throws -> Duration? {
        guard let text = environment[key] else { return nil }
        guard let seconds = GoDuration.seconds(text), seconds > 0 else {
            throw WebhooksConfigurationError(key: key, reason: "expected a positive duration such as 30s or 24h")
        }
        return .seconds(seconds)
    }
}

package struct WebhooksConfigurationError: Error, CustomStringConvertible {
    package let key: String
    package let reason: String

    package var description: String { "\(key) is invalid: \(reason)" }
}

extension WebhooksConfiguration {
    /// Wakes the delivery service once the transaction under way, which queued deliveries, commits.
    func announceDeliveriesOnCommit() {
        Database.afterCommit { [deliveriesQueued] in deliveriesQueued.fire() }
    }
}
