import KaitenCore
import Logging
import Synchronization
import Testing

@Suite("OutageLog")
struct OutageLogTests {
    @Test("an outage is a warning as it begins, debug lines while it lasts, and one line as it ends")
    func onceAsItBeginsAndOnceAsItEnds() {
        let lines = CapturedLines()
        var logger = Logger(label: "kaiten.tests") { _ in lines }
        logger.logLevel = .trace
        let outage = OutageLog("the relay could not claim outbox rows", logger: logger)
        outage.succeeded()
        for _ in 0..<5 { outage.failed(CancellationError()) }
        outage.succeeded()
        outage.succeeded()
        #expect(
            lines.captured.map(\.level) == [.warning, .debug, .debug, .debug, .debug, .info],
            "nothing before the outage, nothing after its end")
        #expect(lines.captured.first?.message == "the relay could not claim outbox rows")
        #expect(lines.captured.last?.metadata["kaiten.failed_attempts"] == "5")
    }
}

/// A log handler that keeps what it is given.
private struct CapturedLines: LogHandler {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let lines = Shared()
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var captured: [Line] { lines.value.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.value.withLock { $0.append(Line(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:])) }
    }

    private final class Shared: Sendable {
        let value = Mutex<[Line]>([])
    }
}
