import Foundation
import Logging

/// A private PostgreSQL server run from the system's `initdb` and `postgres`, for development and tests.
///
/// The cluster lives in its own data directory, listens on loopback only at its own port, trusts local
/// connections and runs with `wal_level=logical` so the relay can stream its WAL. PostgreSQL refuses to
/// run as root, so when this process is root the server runs as the unprivileged `postgres` user, which is
/// given the data directory. The server is started with a parent-death signal: if this process dies, even
/// by `kill -9`, PostgreSQL shuts down with it instead of lingering.
package final class EmbeddedPostgres: Sendable {
    package struct Configuration: Sendable {
        package var dataDirectory: URL
        package var port: Int
        package var superuser: String = "kaiten"
        /// Trades durability for speed; for throwaway test clusters only.
        package var durable: Bool = true
        package var extraSettings: [String: String] = [:]

        package init(dataDirectory: URL, port: Int) {
            self.dataDirectory = dataDirectory
            self.port = port
        }
    }

    package let configuration: Configuration
    private let logger: Logger
    private let server = ServerProcess()

    package init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Initializes the cluster on first use, then starts the server and waits until it accepts connections.
    package func start() async throws {
        let binaries = try PostgresBinaries.locate()
        let account = try RunAccount.current()
        let directory = configuration.dataDirectory
        let fileManager = FileManager.default
        try account.checkReachable(directory)
        try await stopStaleServer()
        if !fileManager.fileExists(atPath: directory.appendingPathComponent("PG_VERSION").path) {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
            try account.takeOwnership(of: directory)
            logger.info("initializing PostgreSQL cluster", metadata: ["kaiten.postgres.data": "\(directory.path)"])
            try await account.run(
                binaries.initdb,
                ["-D", directory.path, "-U", configuration.superuser, "--auth=trust", "-E", "UTF8", "--no-locale"],
                logger: logger
            )
        }
        try writeSettings()
        let arguments = ["-D", directory.path]
        try server.launch(account.command(binaries.postgres, arguments, dieWithParent: true), logFile: directory.appendingPathComponent("server.log"))
        try await waitUntilReady()
        logger.info("PostgreSQL is ready", metadata: ["kaiten.postgres.port": "\(configuration.port)"])
    }

    /// Shuts the server down (fast shutdown: open transactions roll back) and waits for it to exit.
    package func stop() async {
        await server.interruptAndWait()
    }

    private func writeSettings() throws {
        var settings: [String: String] = [
            "port": "\(configuration.port)",
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": "''",
            "wal_level": "logical",
            // Every CDC relay, pg_recvlogical and replication test holds a walsender and a slot; the parallel test
            // suites together pass PostgreSQL's default of 10 and fail with 53300.
            "max_replication_slots": "32",
            "max_wal_senders": "32",
            "max_connections": "200",
            "logging_collector": "off",
        ]
        if !configuration.durable {
            settings["fsync"] = "off"
            settings["synchronous_commit"] = "off"
            settings["full_page_writes"] = "off"
        }
        settings.merge(configuration.extraSettings) { _, explicit in explicit }
        let text = settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n") + "\n"
        let file = configuration.dataDirectory.appendingPathComponent("postgresql.auto.conf")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try RunAccount.current().takeOwnership(of: file)
    }

    /// PostgreSQL writes "ready" into the last status line of `postmaster.pid` once it accepts connections.
    private func waitUntilReady() async throws {
        let pidFile = configuration.dataDirectory.appendingPathComponent("postmaster.pid")
        for _ in 0..<600 {
            if let text = try? String(contentsOf: pidFile, encoding: .utf8),
                text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }).contains("ready")
            {
                return
            }
            if !server.isRunning {
                let log = (try? String(contentsOf: configuration.dataDirectory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
                throw EmbeddedPostgresError.serverExited(log: String(log.suffix(2_000)))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw EmbeddedPostgresError.notReady
    }

    /// A server left running by a previous process that could not stop it holds the data directory; stop it.
    private func stopStaleServer() async throws {
        let pidFile = configuration.dataDirectory.appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
            let pid = text.split(separator: "\n").first.flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }),
            kill(pid, 0) == 0
        else { return }
        logger.warning("stopping a PostgreSQL server left running on this data directory", metadata: ["kaiten.postgres.pid": "\(pid)"])
        kill(pid, SIGINT)
        for _ in 0..<200 where kill(pid, 0) == 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

package enum EmbeddedPostgresError: Error, CustomStringConvertible {
    case binariesNotFound
    case commandFailed(String, status: Int32, output: String)
    case serverExited(log: String)
    case notReady
    case noUnprivilegedUser
    case unreachableDataDirectory(String, user: String)

    package var description: String {
        switch self {
        case .binariesNotFound:
            "PostgreSQL's initdb and postgres were not found; install PostgreSQL (Debian: apt-get install postgresql) or set KAITEN_PG_BIN"
        case .commandFailed(let command, let status, let output): "\(command) exited with status \(status): \(output)"
        case .serverExited(let log): "PostgreSQL exited during start-up:\n\(log)"
        case .notReady: "PostgreSQL did not become ready within 30 s"
        case .noUnprivilegedUser: "running as root, but there is no 'postgres' user to run PostgreSQL as"
        case .unreachableDataDirectory(let path, let user):
            "PostgreSQL runs as '\(user)', which cannot enter \(path); choose a data directory under a path it can reach, or chmod o+x that directory"
        }
    }
}
