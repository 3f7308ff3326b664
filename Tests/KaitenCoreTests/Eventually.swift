import Testing

/// Waits until `condition` holds; fails the test after 10 s.
func eventually(sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while !condition() {
        try #require(ContinuousClock.now < deadline, "timed out", sourceLocation: sourceLocation)
        try await Task.sleep(for: .milliseconds(1))
    }
}
