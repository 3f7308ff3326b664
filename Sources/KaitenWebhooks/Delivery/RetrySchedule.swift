/// When the next attempt of a delivery is due, from the configured schedule and jitter.
struct RetrySchedule: Sendable {
    /// The delay before each attempt; the first (usually zero) is the initial delivery's.
    let delays: [Duration]
    let jitter: Double

    var maximumAttempts: Int { delays.count }

    /// The delay after `attemptsMade` attempts, or nil when the schedule is exhausted.
    func delay(afterAttempts attemptsMade: Int, random: Double = Double.random(in: -1...1)) -> Duration? {
        guard attemptsMade < delays.count else { return nil }
        return delays[attemptsMade] * (1 + jitter * random)
    }
}
