/// When the next attempt of a delivery is due, from the configured schedule and jitter, stretched by what the
/// receiver asked for, as Svix does.
struct RetrySchedule: Sendable {
    /// The delay before each attempt; the first (usually zero) is the initial delivery's.
    let delays: [Duration]
    let jitter: Double
    /// The least a 429 or a timeout waits before the next attempt.
    let overloadDelay: Duration

    var maximumAttempts: Int { delays.count }

    /// The delay after `attemptsMade` attempts, or nil when the schedule is exhausted. A receiver's
    /// `Retry-After` is followed within [scheduled, 2 × scheduled], so it can slow retries down but neither
    /// hurry them nor hold them off for longer than twice the schedule.
    func delay(
        afterAttempts attemptsMade: Int, retryAfter: Duration? = nil, overloaded: Bool = false, random: Double = Double.random(in: -1...1)
    ) -> Duration? {
        guard attemptsMade < delays.count else { return nil }
        let scheduled = delays[attemptsMade] * (1 + jitter * random)
        let asked = retryAfter.map { min(max($0, scheduled), scheduled * 2) } ?? scheduled
        return overloaded ? max(asked, overloadDelay) : asked
    }
}
