import Testing

/// Waits until `condition` holds, polling it; when `timeout` passes first, records an issue where the caller
/// waited and throws, so the test stops there.
func eventually(
    _ what: Comment, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(25))
    }
    Issue.record("timed out: \(what)", sourceLocation: sourceLocation)
    throw TimedOut()
}

struct TimedOut: Error {}

/// Waits until `count` reaches `target`, polling it; records an issue where the caller waited and throws only
/// when the count stops rising for `stall`. For a stream that must be worked through: how long a loaded machine
/// takes over it is not what the caller asserts, that the stream keeps moving and ends is.
func eventually(
    _ what: Comment, reaches target: Int, stallingAfter stall: Duration = .seconds(120),
    sourceLocation: SourceLocation = #_sourceLocation, _ count: () async throws -> Int
) async throws {
    var reached = try await count()
    var lastRise = ContinuousClock.now
    while reached < target {
        guard ContinuousClock.now - lastRise < stall else {
            Issue.record("stalled at \(reached) of \(target) for \(stall): \(what)", sourceLocation: sourceLocation)
            throw TimedOut()
        }
        try await Task.sleep(for: .milliseconds(25))
        let current = try await count()
        if current > reached { (reached, lastRise) = (current, .now) }
    }
}
