import Logging
import Synchronization

/// A log handler that keeps every line it is given, for a test to read what an operator would see.
package struct CapturedLog: LogHandler {
    package struct Line: Sendable {
        package let level: Logger.Level
        package let message: String
        package let metadata: Logger.Metadata
    }

    private let lines = Lines()
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .trace

    package init() {}

    /// A logger, at every level, whose lines this handler keeps.
    package var logger: Logger {
        Logger(label: "kaiten.tests") { _ in self }
    }

    package var captured: [Line] { lines.value.withLock { $0 } }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        let line = Line(level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 })
        lines.value.withLock { $0.append(line) }
    }

    private final class Lines: Sendable {
        let value = Mutex<[Line]>([])
    }
}
