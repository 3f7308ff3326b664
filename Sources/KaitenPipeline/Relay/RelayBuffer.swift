import PostgresReplicationProtocol
import Synchronization

/// The bounded hand-off between the task reading the replication stream and the task publishing.
///
/// Reading and publishing run concurrently so the next batch is read while the current one waits for the
/// transport's confirmation; the bound keeps memory flat and, once reached, stops reading, which holds the
/// walsender back through TCP. One reader and one publisher; either wait is cancellable.
final class RelayBuffer: Sendable {
    /// What the publisher confirms in order: a committed transaction's outbox rows, or a position with nothing to
    /// publish (a heartbeat, another logical message).
    enum Item: Sendable {
        /// `committed`: the transaction's commit time, in seconds since the Unix epoch.
        case transaction([OutboxRecord], position: String, committed: Double, confirm: Position)
        case position(Position)

        var confirmation: Position {
            switch self {
            case .transaction(_, _, _, let position), .position(let position): position
            }
        }

        var recordCount: Int {
            switch self {
            case .transaction(let records, _, _, _): records.count
            case .position: 0
            }
        }
    }

    typealias Position = LSN

    private struct State {
        var items: [Item] = []
        var records = 0
        /// No more items are taken; appends are dropped (they stay unconfirmed and are streamed again later).
        var closed = false
        /// Why publishing stopped; the reader rethrows it.
        var failure: (any Error)?
        /// When the last item arrived, as time since the buffer was made on its clock.
        var lastAppend = Duration.zero
        var waitingPublisher: CheckedContinuation<Void, Never>?
        var waitingReader: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    private let capacity: Int
    /// Time since the buffer was made, and a sleep, both on the buffer's clock.
    private let elapsed: @Sendable () -> Duration
    private let sleep: @Sendable (Duration) async throws -> Void

    /// - Parameters:
    ///   - capacity: How many outbox rows may wait; one transaction larger than that is still taken whole.
    ///   - clock: Times the batch delay and idleness; tests pass a manual clock.
    init<C: Clock<Duration>>(capacity: Int, clock: C = ContinuousClock()) {
        self.capacity = capacity
        let start = clock.now
        elapsed = { start.duration(to: clock.now) }
        sleep = { try await clock.sleep(for: $0) }
    }

    /// Queues an item, waiting while the buffer is full.
    ///
    /// - Throws: the publisher's failure, once publishing failed.
    func append(_ item: Item) async throws {
        while true {
            let outcome: Result<Bool, any Error> = state.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                if state.closed { return .success(true) }
                guard state.items.isEmpty || state.records + item.recordCount <= capacity else { return .success(false) }
                state.items.append(item)
                state.records += item.recordCount
                state.lastAppend = elapsed()
                let publisher = state.waitingPublisher
                state.waitingPublisher = nil
                publisher?.resume()
                return .success(true)
            }
            if try outcome.get() { return }
            try Task.checkCancellation()
            await wait(\.waitingReader) { state in
                state.failure == nil && !state.closed && !state.items.isEmpty && state.records + item.recordCount > self.capacity
            }
        }
    }

    /// Takes the next batch: whole items, in order, up to `maximumRecords` rows (at least one item). After the first
    /// item arrives it waits up to `delay` for more, so a burst goes out as one batch.
    ///
    /// - Returns: nil once the buffer is closed or the task cancelled.
    func take(maximumRecords: Int, delay: Duration) async -> [Item]? {
        var lingered = delay == .zero
        while true {
            let batch: [Item]? = state.withLock { state in
                if state.closed { return [] }
                guard !state.items.isEmpty, lingered || state.records >= maximumRecords else { return nil }
                var count = 0
                var records = 0
                for item in state.items {
                    if count > 0 && records + item.recordCount > maximumRecords { break }
                    count += 1
                    records += item.recordCount
                }
                let batch = Array(state.items.prefix(count))
                state.items.removeFirst(count)
                state.records -= records
                let reader = state.waitingReader
                state.waitingReader = nil
                reader?.resume()
                return batch
            }
            if let batch { return batch.isEmpty ? nil : batch }
            if Task.isCancelled { return nil }
            if state.withLock({ !$0.items.isEmpty }) {
                try? await sleep(delay)
                lingered = true
            } else {
                await wait(\.waitingPublisher) { $0.items.isEmpty && !$0.closed }
            }
        }
    }

    /// Stops taking: the publisher finishes its current batch and then gets nil.
    func close() {
        wakeBoth { $0.closed = true }
    }

    /// Records why publishing stopped; the reader's next append throws it.
    func fail(_ error: any Error) {
        wakeBoth { state in
            state.closed = true
            state.failure = state.failure ?? error
        }
    }

    var failure: (any Error)? {
        state.withLock { $0.failure }
    }

    /// Whether nothing arrived from the stream for `interval`.
    func isIdle(for interval: Duration) -> Bool {
        let now = elapsed()
        return state.withLock { now - $0.lastAppend >= interval }
    }

    private func wakeBoth(_ change: (inout State) -> Void) {
        let waiters = state.withLock { state in
            change(&state)
            defer {
                state.waitingPublisher = nil
                state.waitingReader = nil
            }
            return (state.waitingPublisher, state.waitingReader)
        }
        waiters.0?.resume()
        waiters.1?.resume()
    }

    /// Parks the current task in `slot` while `condition` holds, until the other side (or cancellation) wakes it.
    /// The condition is checked under the same lock the other side changes the state with, so no wake-up is lost;
    /// the caller re-checks the state afterwards, so a spurious one is harmless.
    private func wait(
        _ slot: any WritableKeyPath<State, CheckedContinuation<Void, Never>?> & Sendable,
        while condition: (State) -> Bool
    ) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if Task.isCancelled || !condition(state) { return true }
                    state[keyPath: slot] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state[keyPath: slot] = nil }
                return state[keyPath: slot]
            }
            waiter?.resume()
        }
    }
}
