import Logging
import Synchronization

/// Logs a failure that repeats until something outside recovers (a database or a broker out of reach) once as
/// it begins and once as it ends, not at every attempt: the attempts between go to `debug`.
package final class OutageLog: Sendable {
    private let failures = Mutex(0)
    private let logger: Logger
    private let message: String

    /// - Parameter message: what fails, as the warning says it ("the relay could not claim outbox rows").
    package init(_ message: String, logger: Logger) {
        self.message = message
        self.logger = logger
    }

    package func failed(_ error: any Error, metadata: Logger.Metadata = [:]) {
        let count = failures.withLock { failures in
            failures += 1
            return failures
        }
        var metadata = metadata
        metadata["kaiten.error"] = "\(String(reflecting: error))"
        if count > 1 { metadata["kaiten.attempts"] = "\(count)" }
        logger.log(level: count == 1 ? .warning : .debug, "\(message)", metadata: metadata)
    }

    /// Notes an attempt that worked: ends an outage in progress with one line saying how many attempts it took.
    package func succeeded() {
        let count = failures.withLock { failures in
            defer { failures = 0 }
            return failures
        }
        guard count > 0 else { return }
        logger.info("recovered: \(message) no more", metadata: ["kaiten.failed_attempts": "\(count)"])
    }
}
