import Logging
import Synchronization

/// Logs a failure that repeats until something outside recovers (a database or a broker out of reach, a webhook
/// endpoint's name that no longer resolves) once as it begins and once as it ends, not at every attempt: the
/// attempts between go to `debug`.
///
/// One log can follow several subjects that fail and recover on their own (each webhook endpoint): each has its
/// own outage, begun and ended by the calls that name it.
package final class OutageLog: Sendable {
    /// Failed attempts since the last success, per subject; a subject without an outage has no entry.
    private let failures = Mutex<[String: Int]>([:])
    private let logger: Logger
    private let message: String

    /// - Parameter message: what fails, as the warning says it ("the relay could not claim outbox rows").
    package init(_ message: String, logger: Logger) {
        self.message = message
        self.logger = logger
    }

    package func failed(_ error: any Error, subject: String = "", metadata: Logger.Metadata = [:]) {
        failed(because: String(reflecting: error), subject: subject, metadata: metadata)
    }

    /// Notes a failed attempt; `reason` is what went wrong, as the attempt reported it.
    package func failed(because reason: String, subject: String = "", metadata: Logger.Metadata = [:]) {
        let count = failures.withLock { failures in
            failures[subject, default: 0] += 1
            return failures[subject, default: 0]
        }
        var metadata = metadata
        metadata["kaiten.error"] = "\(reason)"
        if count > 1 { metadata["kaiten.attempts"] = "\(count)" }
        logger.log(level: count == 1 ? .warning : .debug, "\(message)", metadata: metadata)
    }

    /// Whether `subject` is in an outage: an attempt failed and none has worked since.
    package func isFailing(subject: String = "") -> Bool {
        failures.withLock { $0[subject] != nil }
    }

    /// Notes an attempt that worked: ends an outage in progress with one line saying how many attempts it took.
    package func succeeded(subject: String = "", metadata: Logger.Metadata = [:]) {
        guard let count = failures.withLock({ $0.removeValue(forKey: subject) }) else { return }
        var metadata = metadata
        metadata["kaiten.failed_attempts"] = "\(count)"
        logger.info("recovered: \(message) no more", metadata: metadata)
    }
}
