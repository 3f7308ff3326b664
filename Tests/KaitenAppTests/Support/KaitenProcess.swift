import Foundation
import PostgresNIO
import Testing

/// A `kaiten` subcommand running as its own process, as an operator runs it: killed with SIGKILL to stand
/// for a crash, or stopped with SIGTERM. Its standard error (the log) goes to a file the test can read.
final class KaitenProcess {
    let name: String
    let logURL: URL
    private let process: Process

    /// The `kaiten` executable built beside the test bundle (`swift build --build-tests` builds both).
    static var executable: URL {
        get throws {
            if let path = ProcessInfo.processInfo.environment["KAITEN_BIN"] { return URL(fileURLWithPath: path) }
            let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kaiten")
            guard FileManager.default.isExecutableFile(atPath: besideTests.path) else {
                throw MissingKaitenExecutable(path: besideTests.path)
            }
            return besideTests
        }
    }

    private init(name: String, logURL: URL, process: Process) {
        self.name = name
        self.logURL = logURL
        self.process = process
    }

    static func start(_ name: String, arguments: [String], environment: [String: String]) throws -> KaitenProcess {
        let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("kaiten-\(name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, override in override }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return KaitenProcess(name: name, logURL: logURL, process: process)
    }

    deinit {
        try? FileManager.default.removeItem(at: logURL)
    }

    var isRunning: Bool { process.isRunning }

    /// Sends `signal` and waits for the process to end.
    func stop(_ signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
                Issue.record("\(name) did not stop within \(timeout) of signal \(signal)")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    var terminationStatus: Int32 { process.terminationStatus }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// The values of a `key=value` metadata item, in log order, from the lines that have it and contain `marker`.
    func logged(_ key: String, onLinesContaining marker: String = "") -> [String] {
        log.split(separator: "\n").compactMap { line in
            guard marker.isEmpty || line.contains(marker), let range = line.range(of: "\(key)=") else { return nil }
            return String(line[range.upperBound...].prefix { !$0.isWhitespace })
        }
    }
}

struct MissingKaitenExecutable: Error, CustomStringConvertible {
    let path: String

    var description: String { "no kaiten executable at \(path); build it with swift build --build-tests, or set KAITEN_BIN" }
}

extension PostgresClient.Configuration {
    /// The `postgres://` URL `kaiten` reads from `KAITEN_DATABASE_URL`, for a TCP configuration.
    var url: String {
        let credentials = password.map { "\(username):\($0)" } ?? username
        return "postgres://\(credentials)@\(host ?? "127.0.0.1"):\(port ?? 5432)/\(database ?? username)"
    }
}
