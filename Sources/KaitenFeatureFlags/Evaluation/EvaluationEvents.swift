import Foundation
import KaitenCore
import Logging
import ServiceLifecycle
import Synchronization

/// FEATURE_FLAG_EVALUATED events, kept off the evaluation's path: an evaluation only queues its event, and
/// this service writes what is queued to the outbox in batches. The queue is bounded; past the bound an event
/// is dropped and counted (`dropped`, and a warning per batch that dropped any), so an overload slows no
/// evaluation and grows no memory. Stopping gracefully writes what is still queued.
package final class EvaluationEvents: Service, Sendable {
    static let event = EventType(name: "FEATURE_FLAG_EVALUATED", type: "com.kaiten.feature_flag.v1.evaluated")

    private let database: Database
    private let capacity: Int
    private let queued = Mutex<(messages: [OutboxMessage], dropped: Int)>(([], 0))
    private let wakeUp: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let totalDropped = Atomic<Int>(0)

    package init(database: Database, capacity: Int = 5_000) {
        self.database = database
        self.capacity = capacity
        (wakeUp, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Events dropped since start because the queue was full.
    package var dropped: Int { totalDropped.load(ordering: .relaxed) }

    func record(_ message: OutboxMessage) {
        let accepted = queued.withLock { queue in
            guard queue.messages.count < capacity else {
                queue.dropped += 1
                return false
            }
            queue.messages.append(message)
            return true
        }
        if accepted { wake.yield() } else { totalDropped.add(1, ordering: .relaxed) }
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.wakeUp {
                await self.flush()
            }
        }
        await flush()
    }

    private func flush() async {
        let (messages, dropped) = queued.withLock { queue in
            defer { queue = ([], 0) }
            return queue
        }
        if dropped > 0 {
            database.logger.warning("feature flag evaluation events dropped: the queue was full", metadata: ["kaiten.count": "\(dropped)"])
        }
        guard !messages.isEmpty else { return }
        do {
            try await database.transaction { connection in
                try await Outbox.append(contentsOf: messages, on: connection, logger: database.logger)
            }
        } catch {
            database.logger.error(
                "feature flag evaluation events not written", metadata: ["kaiten.count": "\(messages.count)", "kaiten.error": "\(error)"]
            )
        }
    }
}
