import Foundation
import NIOCore
import NIOPosix

/// A private, throw-away RabbitMQ node for the process that starts it (the tests, `kaiten bench pipeline`), from
/// Debian's `rabbitmq-server`.
///
/// Everything the node writes lives in its own temporary directory (owned by the `rabbitmq` user when running
/// as root, since Erlang's cookie and Mnesia refuse foreign files), and it listens on its own free ports with
/// its own node name and its own `epmd` port, so parallel processes and a system broker never meet. A watchdog
/// shell process stops the node, its `epmd` and removes the directory when the starting process exits, even by
/// `kill -9`; `stop()` does the same at once. Only `guest`/`guest` on loopback is allowed.
package actor RabbitMQBroker {
    /// One node shared by the tests that do not disturb it.
    package static let shared = RabbitMQBroker()

    package struct Endpoint: Sendable {
        package let host: String
        package let port: Int
        package let nodeName: String
    }

    package enum BrokerError: Error, CustomStringConvertible {
        case notInstalled
        case noRabbitMQUser
        case didNotStart(log: String)

        package var description: String {
            switch self {
            case .notInstalled: "rabbitmq-server is not installed (scripts/install-prerequisites installs it)"
            case .noRabbitMQUser: "running as root but there is no `rabbitmq` user"
            case .didNotStart(let log): "RabbitMQ did not start:\n\(log)"
            }
        }
    }

    static let serverScript = "/usr/lib/rabbitmq/bin/rabbitmq-server"

    private struct Node {
        let directory: URL
        let endpoint: Endpoint
        let distributionPort: Int
        let epmdPort: Int
        let account: (uid: uid_t, gid: gid_t)?
    }

    private var node: Node?
    private var process: Process?
    private var starting: Task<Endpoint, any Error>?

    package init() {}

    /// Starts the node on first use (about 5 s) and returns where it listens.
    package func endpoint() async throws -> Endpoint {
        if let starting { return try await starting.value }
        let task = Task { try await self.firstStart() }
        starting = task
        return try await task.value
    }

    /// Kills the Erlang VM with SIGKILL, as a crash would, and waits until the AMQP port is closed.
    package func kill() async {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        self.process = nil
    }

    /// Starts the node again on the same ports and data, after `kill()`.
    package func restart() async throws {
        guard let node else {
            _ = try await endpoint()
            return
        }
        try await launch(node)
    }

    /// Stops the node and removes its files. The instance cannot be started again.
    package func stop() async {
        guard let node else { return }
        _ = FileManager.default.createFile(atPath: node.directory.appendingPathComponent("stop").path, contents: nil)
        while let process, process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        process = nil
    }

    /// Starts a node, on other ports when its ports were taken before it bound them (see ``LoopbackPort/free()``).
    private func firstStart() async throws -> Endpoint {
        var attempt = 1
        while true {
            do {
                return try await startNode()
            } catch BrokerError.didNotStart(let log) where LoopbackPort.isAddressInUse(log) && attempt < 5 {
                attempt += 1
            }
        }
    }

    private func startNode() async throws -> Endpoint {
        guard FileManager.default.isExecutableFile(atPath: Self.serverScript) else { throw BrokerError.notInstalled }
        var account: (uid: uid_t, gid: gid_t)?
        if getuid() == 0 {
            guard let entry = getpwnam("rabbitmq") else { throw BrokerError.noRabbitMQUser }
            account = (entry.pointee.pw_uid, entry.pointee.pw_gid)
        }
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("kaiten-rabbitmq-\(getpid())-\(UUID().uuidString.prefix(8))")
        let home = directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        // A fixed cookie: only this node and its own CLI calls ever read it, and epmd is private too.
        let cookie = home.appendingPathComponent(".erlang.cookie")
        _ = FileManager.default.createFile(atPath: cookie.path, contents: Data("KAITENTESTNODE\(getpid())".utf8))
        chmod(cookie.path, 0o400)
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("enabled_plugins").path, contents: Data("[].\n".utf8))
        if let account {
            for path in [directory.path, home.path, cookie.path, directory.appendingPathComponent("enabled_plugins").path] {
                chown(path, account.uid, account.gid)
            }
        }
        chmod(directory.path, 0o755)
        let node = Node(
            directory: directory,
            endpoint: Endpoint(
                host: "127.0.0.1", port: try LoopbackPort.free(), nodeName: "kaiten-test-\(getpid())-\(UUID().uuidString.prefix(6))@localhost"),
            distributionPort: try LoopbackPort.free(), epmdPort: try LoopbackPort.free(), account: account
        )
        self.node = node
        try startWatchdog(node)
        try await launch(node)
        return node.endpoint
    }

    private func launch(_ node: Node) async throws {
        let directory = node.directory
        let environment = [
            "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": directory.appendingPathComponent("home").path,
            "LANG": "C.UTF-8",
            "ERL_EPMD_PORT": "\(node.epmdPort)",
            // Makes the start script exec the Erlang VM instead of supervising it from a shell, so the
            // process launched here is the VM: a SIGKILL to it is a broker crash.
            "RUNNING_UNDER_SYSTEMD": "true",
            "RABBITMQ_NODENAME": node.endpoint.nodeName,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": "\(node.endpoint.port)",
            "RABBITMQ_DIST_PORT": "\(node.distributionPort)",
            "RABBITMQ_MNESIA_BASE": directory.appendingPathComponent("mnesia").path,
            "RABBITMQ_LOG_BASE": directory.appendingPathComponent("log").path,
            "RABBITMQ_ENABLED_PLUGINS_FILE": directory.appendingPathComponent("enabled_plugins").path,
            "RABBITMQ_FEATURE_FLAGS_FILE": directory.appendingPathComponent("feature_flags").path,
            "RABBITMQ_CONFIG_FILE": directory.appendingPathComponent("rabbitmq").path,
            "RABBITMQ_CONF_ENV_FILE": "/dev/null",
        ]
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        var arguments: [String] = []
        if let account = node.account {
            arguments += ["--reuid=\(account.uid)", "--regid=\(account.gid)", "--clear-groups"]
        }
        child.arguments = arguments + ["--", Self.serverScript]
        child.environment = environment
        child.currentDirectoryURL = directory
        let logURL = directory.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: logURL.path) { _ = FileManager.default.createFile(atPath: logURL.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        child.standardOutput = log
        child.standardError = log
        child.standardInput = FileHandle.nullDevice
        try child.run()
        try log.close()
        process = child
        try Data("\(child.processIdentifier)\n".utf8).write(to: directory.appendingPathComponent("beam.pid"))

        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if !child.isRunning { break }
            if await Self.accepts(port: node.endpoint.port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let output = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        throw BrokerError.didNotStart(log: String(output.suffix(4000)))
    }

    /// Outlives a crash of the test process: once this process is gone (or `stop()` asked), it kills the
    /// node (its data is thrown away, so there is nothing to shut down gracefully; and the VM started this way
    /// ignores SIGTERM), stops the private epmd and removes the directory. A dead VM whose parent is gone can
    /// stay a zombie where nothing reaps orphans, hence the state check rather than `kill -0`.
    private func startWatchdog(_ node: Node) throws {
        let directory = node.directory.path
        let script = """
            alive() { [ -r /proc/$1/status ] && ! grep -q '^State:.*Z' /proc/$1/status; }
            while alive \(getpid()) && [ ! -e '\(directory)/stop' ]; do sleep 0.5; done
            pid=$(cat '\(directory)/beam.pid' 2>/dev/null)
            [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
            epmd=$(ls /usr/lib/erlang/erts-*/bin/epmd 2>/dev/null | head -n 1)
            i=0
            while [ -n "$epmd" ] && [ $i -lt 50 ] && ! "$epmd" -port \(node.epmdPort) -kill | grep -q Killed; do sleep 0.1; i=$((i+1)); done
            rm -rf '\(directory)'
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = ["-c", script]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try watchdog.run()
    }

    private static func accepts(port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(200))
                .connect(host: "127.0.0.1", port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
