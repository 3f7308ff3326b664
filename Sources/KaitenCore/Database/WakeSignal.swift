import Foundation
import Synchronization

/// Ends a polling loop's wait early when the work it polls for may have arrived: an outbox row committed, a
/// webhook delivery queued. A fire while nobody waits is kept, once, for the next wait.
///
/// It only hurries the poll: a loop still looks on its own every interval, so a fire that never comes (the
/// write was made by another process) costs latency, never work.
package final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    package func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.waiters.isEmpty else {
                state.pending = true
                return []
            }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Takes the fire kept for the next wait, if one is.
    private func takePending() -> Bool {
        state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
    }

    /// Returns at the next fire (at once if one came since the last wait), or when the task is cancelled.
    package func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Returns at the next fire, at `deadline` of `clock` at the latest, or when the task is cancelled.
    package func wait<C: Clock>(until deadline: C.Instant, on clock: C) async {
        guard !takePending() else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(until: deadline, tolerance: nil) }
            group.addTask { await self.wait() }
            await group.next()
            group.cancelAll()
        }
    }
}
