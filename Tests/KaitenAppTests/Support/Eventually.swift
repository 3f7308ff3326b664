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
