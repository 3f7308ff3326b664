import Foundation
import Synchronization

/// The running server process, owned so it can be interrupted and awaited from any task.
final class ServerProcess: Sendable {
    private let process = Mutex<Process?>(nil)

    func launch(_ commandLine: [String], logFile: URL) throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: commandLine[0])
        child.arguments = Array(commandLine.dropFirst())
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        child.standardOutput = log
        child.standardError = log
        child.standardInput = FileHandle.nullDevice
        // The parent-death signal PostgreSQL is started with fires when the *thread* that spawned it exits,
        // and the concurrency runtime retires idle threads. So the server is spawned from a thread of its
        // own, which then waits for it and so lives exactly as long as the server.
        let launched = Mutex<Result<Void, any Error>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let spawner = Thread {
            do {
                try child.run()
                launched.withLock { $0 = .success(()) }
            } catch {
                launched.withLock { $0 = .failure(error) }
            }
            ready.signal()
            if child.isRunning { child.waitUntilExit() }
        }
        spawner.name = "kaiten-postgres"
        spawner.start()
        ready.wait()
        try launched.withLock { $0 }?.get()
        process.withLock { $0 = child }
    }

    var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// SIGINT asks PostgreSQL for a fast shutdown: sessions are disconnected and the cluster is checkpointed.
    func interruptAndWait() async {
        guard let child = process.withLock({ $0 }) else { return }
        if child.isRunning { child.interrupt() }
        while child.isRunning {
            try? await Task.sleep(for: .milliseconds(20))
        }
        process.withLock { $0 = nil }
    }
}
