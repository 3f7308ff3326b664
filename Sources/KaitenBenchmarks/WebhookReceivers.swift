import Foundation
import Hummingbird
import KaitenCore
import Logging
import NIOCore
import ServiceLifecycle

/// The benchmarks' webhook receivers: one HTTP listener, a path per endpoint, counting deliveries; one path may
/// answer slowly, and on the paths under a latency prefix the time from each event's write to its arrival is
/// taken, the event known by its `data.slug`.
actor WebhookReceivers {
    let slowAnswer: Duration
    private var counts: [String: Int] = [:]
    private var slowPath: String?
    private var latencyPrefix: String?
    private var writes: [String: ContinuousClock.Instant] = [:]
    /// Deliveries that arrived before their write was noted as done (its answer still on the way to the writer).
    private var earlyArrivals: Set<String> = []
    private(set) var latency = LatencySample()

    init(slowAnswer: Duration = .zero) {
        self.slowAnswer = slowAnswer
    }

    func prepare(slowPath: String?, latencyPrefix: String? = nil) {
        self.slowPath = slowPath
        self.latencyPrefix = latencyPrefix
        latency = LatencySample()
        writes = [:]
        earlyArrivals = []
    }

    func count(_ paths: [String]) -> Int { paths.reduce(0) { $0 + (counts[$1] ?? 0) } }

    /// Notes when the event `key` was written: a delivery that already came counts as immediate.
    func written(_ key: String) {
        if earlyArrivals.remove(key) != nil {
            latency.record(.zero)
        } else {
            writes[key] = .now
        }
    }

    /// Records a delivery; returns how long to wait before answering.
    func received(_ path: String, body: ByteBuffer) -> Duration {
        counts[path, default: 0] += 1
        if let latencyPrefix, path.hasPrefix(latencyPrefix), let json = try? JSONValue.parse(Array(body.readableBytesView)),
            case .string(let key)? = json["data"]?["slug"]
        {
            if let written = writes.removeValue(forKey: key) { latency.record(.now - written) } else { earlyArrivals.insert(key) }
        }
        return path == slowPath ? slowAnswer : .zero
    }

    /// Serves the receivers on a free loopback port while `body` runs with it.
    nonisolated func serving<T: Sendable>(logger: Logger, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let delay = await self.received(request.uri.path, body: body)
            if delay > .zero { try await Task.sleep(for: delay) }
            return Response(status: .noContent)
        }
        let bound = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "kaiten-bench-receiver"),
            onServerRunning: { bound.continuation.yield($0.localAddress?.port ?? 0) },
            logger: logger
        )
        // Stopped gracefully, not cancelled: a cancelled listener logs an error on its way out.
        let services = ServiceGroup(services: [app], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var ports = bound.stream.makeAsyncIterator()
            let result: T
            do {
                result = try await body(await ports.next() ?? 0)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }
}
