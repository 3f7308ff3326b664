import Foundation
import KaitenCore
import Logging
import ServiceLifecycle
import Synchronization
import Tracing

/// Sends due webhook deliveries: leases endpoints with due deliveries from PostgreSQL and drains each in
/// its own task, so a slow or failing endpoint only ever occupies its own task.
///
/// Everything it needs to resume is in PostgreSQL (the queue, the schedule, the leases), so a restarted
/// service, or another replica, picks up where this one stopped. On graceful shutdown it stops leasing,
/// lets in-flight attempts finish and gives their endpoints back.
///
/// Its waits (polling, throttles, the retention sweep) are on `configuration.clock`, and so is the "now" its
/// statements compare the schedule with (see ``DatabaseClock``): a test moves that clock on instead of sleeping.
package struct WebhookDeliveryService: Service {
    let store: DeliveryStore
    let sender: WebhookSender
    let clients: PinnedHTTPClients
    let configuration: WebhooksConfiguration
    let logger: Logger
    /// Counts the service's tasks that are running; see ``Activity``.
    let activity = Activity()
    /// A database out of reach is logged once as it begins and once as it ends, not at every look.
    let leasing: OutageLog
    /// So is an endpoint that cannot be reached (its name does not resolve, nothing listens, it answers 5xx):
    /// once per endpoint as its attempts begin to fail and once as one succeeds; the attempts list has each.
    let failing: OutageLog

    package init(database: Database, configuration: WebhooksConfiguration) {
        self.configuration = configuration
        logger = database.logger
        leasing = OutageLog("could not lease webhook endpoints", logger: database.logger)
        failing = OutageLog("could not deliver to a webhook endpoint", logger: database.logger)
        store = DeliveryStore(database: database, configuration: configuration)
        clients = PinnedHTTPClients(
            timeout: configuration.attemptTimeout, capacity: max(256, configuration.maximumConcurrentEndpoints * 4), logger: database.logger)
        sender = WebhookSender(
            resolver: AddressResolver(allowPrivate: configuration.allowPrivateAddresses, lookUp: configuration.hostLookUp),
            clients: clients,
            timeout: configuration.attemptTimeout,
            responseBodyLimit: configuration.responseBodyLimit
        )
    }

    private enum Event {
        case endpointDrained
        case tick
    }

    package func run() async throws {
        await run(pacedBy: configuration.clock)
        await clients.shutdown()
    }

    private func run<C: DatabaseClock>(pacedBy clock: C) async {
        await withTaskGroup(of: Event.self) { group in
            var draining = 0
            var tickPending = false
            var lastSweep: C.Instant?
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if lastSweep.map({ $0.duration(to: clock.now) > .seconds(600) }) ?? true {
                    lastSweep = clock.now
                    do { try await store.sweepExpiredMessages() } catch { warn("could not sweep expired webhook messages", error) }
                }
                var leased: [UUID] = []
                if draining < configuration.maximumConcurrentEndpoints {
                    do {
                        leased = try await store.leaseEndpoints(limit: configuration.maximumConcurrentEndpoints - draining)
                        leasing.succeeded()
                    } catch {
                        leasing.failed(error)
                    }
                }
                for endpointID in leased {
                    draining += 1
                    activity.started()
                    group.addTask {
                        await drain(endpointID, pacedBy: clock)
                        return .endpointDrained
                    }
                }
                if !leased.isEmpty && draining < configuration.maximumConcurrentEndpoints { continue }
                if !tickPending {
                    tickPending = true
                    // The deadline is taken here, not in the task, so the next look is one interval after this one; a
                    // fan-out's commit ends the wait sooner. A graceful shutdown ends it too: the loop stops without
                    // waiting for a clock that may not move.
                    let deadline = clock.now.advanced(by: configuration.pollInterval)
                    activity.started()
                    group.addTask {
                        await cancelWhenGracefulShutdown { await configuration.deliveriesQueued.wait(until: deadline, on: clock) }
                        return .tick
                    }
                }
                let event = await activity.waiting { await group.next() }
                switch event {
                case .endpointDrained: draining -= 1
                case .tick: tickPending = false
                case nil: break
                }
                if event != nil { activity.ended() }
            }
            while let event = await group.next() {
                if case .endpointDrained = event { draining -= 1 }
                activity.ended()
            }
        }
        activity.ended()
    }

    /// Sends the leased endpoint's due deliveries one after another, then gives the endpoint back. A throttled
    /// endpoint's attempts are allowed `1 / throttleRate` seconds of `clock` apart; its task waits out the gap, as
    /// it would wait for a slow answer, and hands the rest of it on with the lease.
    private func drain<C: DatabaseClock>(_ endpointID: UUID, pacedBy clock: C) async {
        var sent = 0
        var nextAllowed = clock.now
        do {
            var next = try await store.head(of: endpointID, on: store.database)
            while let head = next {
                if nextAllowed > clock.now {
                    do { try await clock.sleep(until: nextAllowed, tolerance: nil) } catch { return }
                }
                let started = clock.now
                let outcome = await attempt(head)
                // A cancelled attempt says nothing about the receiver: record nothing, the lease runs out.
                if Task.isCancelled { return }
                KaitenMetrics.webhookAttempt(outcome: outcome.verdict.rawValue, duration: outcome.duration)
                note(outcome, of: endpointID)
                if outcome.verdict == .delivered {
                    KaitenMetrics.webhookDelivered(after: (configuration.clock.databaseNow ?? Date()).timeIntervalSince(head.recordedAt))
                }
                sent += 1
                // Counted from when this attempt was allowed, not from when the sleep happened to end, so timer
                // slack does not slow the rate down; never from before this attempt, so a slow answer earns no burst.
                if let rate = head.throttleRate { nextAllowed = max(nextAllowed.advanced(by: .seconds(1) / rate), started) }
                let continuing = sent < configuration.deliveriesPerLease && !Task.isCancelled && !Task.isShuttingDownGracefully
                next = try await store.record(outcome, of: head, continuing: continuing)
            }
            try await store.release(endpointID, pause: clock.now.duration(to: nextAllowed))
        } catch {
            warn("webhook delivery failed to record; the endpoint's lease will expire", error, endpointID: endpointID)
        }
    }

    /// Sends the head's message once, as a `webhook.deliver` span continuing the trace of its fan-out.
    private func attempt(_ head: DeliveryStore.Head) async -> WebhookSender.Outcome {
        let trace = TraceContext(headers: head.traceparent.map { ["traceparent": $0] } ?? [:])
        return await withSpan("webhook.deliver", context: trace.serviceContext, ofKind: .client) { span in
            span.attributes["kaiten.webhook_endpoint_id"] = head.endpointID.lowercased
            span.attributes["messaging.message.id"] = head.messageID.lowercased
            span.attributes["kaiten.webhook_attempt"] = head.attempts + 1
            let outcome = await sender.send(
                .init(endpointID: head.endpointID, url: head.url, messageID: head.messageID, body: Array(head.payload.utf8), secrets: head.secrets),
                logger: logger
            )
            span.attributes["kaiten.webhook_outcome"] = outcome.verdict.rawValue
            if let status = outcome.statusCode { span.attributes["http.response.status_code"] = status }
            if outcome.verdict != .delivered { span.setStatus(SpanStatus(code: .error, message: outcome.error)) }
            return outcome
        }
    }

    /// Begins or ends the endpoint's outage in the log. Only a failure that will be retried is one: a 410 or an
    /// abort is the receiver's answer, and ends it as a 2xx does.
    private func note(_ outcome: WebhookSender.Outcome, of endpointID: UUID) {
        let metadata: Logger.Metadata = ["kaiten.webhook_endpoint_id": "\(endpointID.lowercased)"]
        if outcome.verdict == .failed {
            let reason = outcome.error ?? outcome.statusCode.map { "answered \($0)" } ?? "failed"
            failing.failed(because: reason, subject: endpointID.lowercased, metadata: metadata)
        } else {
            failing.succeeded(subject: endpointID.lowercased, metadata: metadata)
        }
    }

    private func warn(_ message: Logger.Message, _ error: any Error, endpointID: UUID? = nil) {
        var metadata: Logger.Metadata = ["kaiten.error": "\(String(reflecting: error))"]
        if let endpointID { metadata["kaiten.webhook_endpoint_id"] = "\(endpointID.lowercased)" }
        logger.warning(message, metadata: metadata)
    }
}

extension WebhookDeliveryService {
    /// How many of the service's tasks are running: its loop while it is not waiting for a task, and every task it
    /// started until the loop has taken the task's result. A task asleep on the clock still counts.
    ///
    /// A test that moves a ``DatabaseClock`` on by hand waits, before it moves it again, until every running task
    /// is asleep on that clock (`running == clock's sleepers`): then the service has done all that was due at the
    /// clock's instant. The count only falls when the loop takes a result, so a task the clock just woke, not yet
    /// asleep again nor finished, keeps the two apart.
    final class Activity: Sendable {
        private let count = Atomic<Int>(1)

        var running: Int { count.load(ordering: .sequentiallyConsistent) }

        func started() { count.add(1, ordering: .sequentiallyConsistent) }
        func ended() { count.subtract(1, ordering: .sequentiallyConsistent) }

        /// Runs `wait` (the loop waiting for a task) with the loop not counted.
        func waiting<T>(_ wait: () async -> T) async -> T {
            ended()
            let result = await wait()
            started()
            return result
        }
    }
}
