import Foundation
import KaitenCore
import Synchronization

enum BenchmarkError: Error, CustomStringConvertible {
    case serverStopped
    case relayStopped(Int32)
    case failed(String, String)
    case timedOut(String)
    case unexpectedResponse(String)

    var description: String {
        switch self {
        case .serverStopped: "the Kaiten server stopped before the benchmark ran"
        case .relayStopped(let status): "kaiten relay exited with status \(status) during the benchmark"
        case .failed(let command, let output): "\(command) failed:\n\(output)"
        case .timedOut(let what): "timed out: \(what)"
        case .unexpectedResponse(let text): "unexpected response: \(text)"
        }
    }
}

/// Latencies measured one by one, read as percentiles.
package struct LatencySample: Sendable {
    private var durations: [Duration] = []

    package init() {}

    package var count: Int { durations.count }

    mutating func record(_ duration: Duration) {
        durations.append(duration)
    }

    mutating func merge(_ other: LatencySample) {
        durations += other.durations
    }

    /// The smallest duration at least `fraction` of the sample does not exceed; 1.0 is the maximum.
    package func percentile(_ fraction: Double) -> Duration {
        guard !durations.isEmpty else { return .zero }
        let sorted = durations.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    func milliseconds(_ fraction: Double) -> String {
        String(format: "%.2f ms", percentile(fraction).seconds * 1000)
    }
}

/// Checks `condition` every `interval` until it holds and returns the moment it did; throws
/// `BenchmarkError.timedOut(what)` when `timeout` passes first.
@discardableResult
func poll(
    _ what: @autoclosure () -> String, every interval: Duration, timeout: Duration, _ condition: () async throws -> Bool
) async throws -> ContinuousClock.Instant {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return .now }
        try await Task.sleep(for: interval)
    }
    throw BenchmarkError.timedOut(what())
}

/// A command-line tool the benchmarks compare with (pgbench, pg_recvlogical), run to completion.
enum ExternalCommand {
    /// Runs the command and returns what it printed; throws if it exits with a failure. Blocks: call it from a
    /// thread of its own (``DedicatedThreadExecutor``) where waiting matters.
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        // The child inherits the spawning thread's signal mask, and the concurrency runtime's threads block
        // SIGALRM, the signal pgbench ends its `-T` run on: unblocked for the spawn only.
        var alarm = sigset_t()
        var previous = sigset_t()
        sigemptyset(&alarm)
        sigaddset(&alarm, SIGALRM)
        pthread_sigmask(SIG_UNBLOCK, &alarm, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw BenchmarkError.failed(URL(fileURLWithPath: executable).lastPathComponent, output) }
        return output
    }
}

/// A task executor with a thread of its own, for work that must not run on a thread the runtime may retire.
final class DedicatedThreadExecutor: TaskExecutor {
    private let jobs = Mutex<[UnownedJob]>([])
    private let available = DispatchSemaphore(value: 0)

    init() {
        Thread { [self] in run() }.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        available.signal()
    }

    /// Ends the thread once the jobs queued so far ran.
    func shutdown() {
        available.signal()
    }

    private func run() {
        while true {
            available.wait()
            guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { return }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
