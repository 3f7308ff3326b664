import Foundation
import KaitenCore
import Logging
import ServiceLifecycle

/// Sends due webhook deliveries: leases endpoints with due deliveries from PostgreSQL and drains each in
/// its own task, so a slow or failing endpoint only ever occupies its own task.
///
/// Everything it needs to resume is in PostgreSQL (the queue, the schedule, the leases), so a restarted
/// service, or another replica, picks up where this one stopped. On graceful shutdown it stops leasing,
/// lets in-flight attempts finish and gives their endpoints back.
public struct WebhookDeliveryService: Service {
    let store: DeliveryStore
    let sender: WebhookSender
    let clients: PinnedHTTPClients
    let configuration: WebhooksConfiguration
    let logger: Logger

    public init(database: Database, configuration: WebhooksConfiguration) {
        self.configuration = configuration
        logger = database.logger
        store = DeliveryStore(database: database, configuration: configuration)
        clients = PinnedHTTPClients(timeout: configuration.attemptTimeout, capacity: max(256, configuration.maximumConcurrentEndpoints * 4), logger: database.logger)
        sender = WebhookSender(
            resolver: AddressResolver(allowPrivate: configuration.allowPrivateAddresses),
            clients: clients,
            timeout: configuration.attemptTimeout,
            responseBodyLimit: configuration.responseBodyLimit
        )
    }

    private enum Event {
        case endpointDrained
        case tick
    }

    public func run() async throws {
        await withTaskGroup(of: Event.self) { group in
            var draining = 0
            var tickPending = false
            var lastSweep = ContinuousClock.now - .seconds(3600)
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if ContinuousClock.now - lastSweep > .seconds(600) {
                    lastSweep = .now
                    do { try await store.sweepExpiredMessages() } catch { warn("could not sweep expired webhook messages", error) }
                }
                var leased: [UUID] = []
                if draining < configuration.maximumConcurrentEndpoints {
                    do {
                        leased = try await store.leaseEndpoints(limit: configuration.maximumConcurrentEndpoints - draining)
                    } catch {
                        warn("could not lease webhook endpoints", error)
                    }
                }
                for endpointID in leased {
                    draining += 1
                    group.addTask {
                        await drain(endpointID)
                        return .endpointDrained
                    }
                }
                if !leased.isEmpty && draining < configuration.maximumConcurrentEndpoints { continue }
                if !tickPending {
                    tickPending = true
                    let interval = configuration.pollInterval
                    group.addTask {
                        try? await Task.sleep(for: interval)
                        return .tick
                    }
                }
                switch await group.next() {
                case .endpointDrained: draining -= 1
                case .tick: tickPending = false
                case nil: break
                }
            }
            while let event = await group.next() {
                if case .endpointDrained = event { draining -= 1 }
            }
        }
        await clients.shutdown()
    }

    /// Sends the leased endpoint's due deliveries one after another, then gives the endpoint back. A throttled
    /// endpoint's attempts are allowed `1 / throttleRate` seconds apart; its task waits out the gap, as it
    /// would wait for a slow answer, and hands the rest of it on with the lease.
    private func drain(_ endpointID: UUID) async {
        var sent = 0
        var nextAllowed = ContinuousClock.now
        do {
            var next = try await store.head(of: endpointID, on: store.database.client)
            while let head = next {
                if nextAllowed > .now {
                    do { try await Task.sleep(until: nextAllowed) } catch { return }
                }
                let started = ContinuousClock.now
                let outcome = await sender.send(
                    .init(endpointID: head.endpointID, url: head.url, messageID: head.messageID, body: Array(head.payload.utf8), secrets: head.secrets),
                    logger: logger
                )
                // A cancelled attempt says nothing about the receiver: record nothing, the lease runs out.
                if Task.isCancelled { return }
                sent += 1
                // Counted from when this attempt was allowed, not from when the sleep happened to end, so timer
                // slack does not slow the rate down; never from before this attempt, so a slow answer earns no burst.
                if let rate = head.throttleRate { nextAllowed = max(nextAllowed + .seconds(1) / rate, started) }
                let continuing = sent < configuration.deliveriesPerLease && !Task.isCancelled && !Task.isShuttingDownGracefully
                next = try await store.record(outcome, of: head, continuing: continuing)
            }
            try await store.release(endpointID, pause: nextAllowed - .now)
        } catch {
            warn("webhook delivery failed to record; the endpoint's lease will expire", error, endpointID: endpointID)
        }
    }

    private func warn(_ message: Logger.Message, _ error: any Error, endpointID: UUID? = nil) {
        var metadata: Logger.Metadata = ["kaiten.error": "\(String(reflecting: error))"]
        if let endpointID { metadata["kaiten.webhook_endpoint_id"] = "\(endpointID.lowercased)" }
        logger.warning(message, metadata: metadata)
    }
}
