import Foundation
import KaitenCore
import Synchronization

/// A clock that stands still until a test moves it on: sleepers wake when ``advance(by:)`` passes their
/// deadline, and never otherwise, so a test sees a retry schedule or a rate limit play out exactly, without
/// sleeping and whatever the machine's load.
///
/// Its wall time (``databaseNow``) starts at the wall time it was made at and moves with it, so statements that
/// compare stored times take the clock's "now" instead of the database's.
package final class ManualClock: DatabaseClock {
    package struct Instant: InstantProtocol, Sendable {
        /// Time since the clock was made.
        package let offset: Duration

        package init(offset: Duration) {
            self.offset = offset
        }

        package func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        package func duration(to other: Instant) -> Duration { other.offset - offset }
        package static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
    }

    private let state = Mutex(State())
    /// The wall time of ``Instant/offset`` zero: a whole second.
    package let origin: Date

    /// A clock at `origin`, taken down to the whole second so its instants are whole microseconds, as PostgreSQL
    /// keeps times.
    package init(origin: Date = Date()) {
        self.origin = Date(timeIntervalSinceReferenceDate: origin.timeIntervalSinceReferenceDate.rounded(.down))
    }

    package var now: Instant { state.withLock { $0.now } }
    package var minimumResolution: Duration { .zero }
    package var databaseNow: Date? { date(at: now) }

    /// The wall time of `instant`, to the microsecond.
    ///
    /// PostgresNIO sends a `Date` as its microseconds truncated, and the `Double` nearest an instant such as
    /// 300 ms after the origin can lie a hair below it, which would make a statement see 299.999 ms. Half a
    /// microsecond later truncates to the instant itself, so a retry due at 300 ms is due when the clock says 300 ms.
    package func date(at instant: Instant) -> Date {
        let (seconds, attoseconds) = instant.offset.components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return origin.addingTimeInterval((Double(microseconds) + 0.5) / 1_000_000)
    }

    /// How many tasks sleep on this clock now.
    package var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// When the earliest sleeper wakes; nil when nobody sleeps.
    package var nextDeadline: Instant? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    package func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Checked under the lock the cancellation handler takes: a cancellation either comes before and is
                // seen here, or after and finds the sleeper.
                let resumeNow = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock on by `duration` and wakes every sleeper whose deadline it reached.
    package func advance(by duration: Duration) {
        precondition(duration >= .zero, "a clock only moves forward")
        let woken = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Moves the clock on to `instant` (when it is later than now) and wakes whom that reaches.
    package func advance(to instant: Instant) {
        advance(by: max(now.duration(to: instant), .zero))
    }
}
