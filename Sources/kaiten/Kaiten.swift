import ArgumentParser
import Foundation
import KaitenApp
import KaitenCore
import KaitenDevelopment
import Logging

@main
struct Kaiten: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kaiten",
        abstract: "Kaiten, the control plane for B2B SaaS.",
        subcommands: [Dev.self, Serve.self, Migrate.self, PlatformToken.self, SeedDemo.self, Bench.self, Relay.self, Worker.self]
    )

    /// Every subcommand logs to standard error, bootstrapped once here.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (LOG_LEVEL; default warning).")
    var logLevel: String = ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "warning"

    private var level: Logger.Level? {
        let name = logLevel.lowercased()
        return Logger.Level(rawValue: name == "warn" ? "warning" : name)
    }

    func validate() throws {
        guard level != nil else {
            throw ValidationError("unknown log level \"\(logLevel)\": expected trace, debug, info, notice, warning, error or critical")
        }
    }

    func makeLogger() -> Logger {
        var logger = Logger(label: "kaiten")
        logger.logLevel = level ?? .warning
        return logger
    }
}

struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run everything in one process with an embedded PostgreSQL, a development organization and tokens."
    )

    @Option(help: "Where PostgreSQL's cluster and the saved credentials live.")
    var dataDir: String = ".kaiten"
    @Option(help: "The Core API port (0: any free port).") var port: Int = 6060
    @Option(help: "The Platform API port (0: any free port).") var platformPort: Int = 3001
    @Option(help: "The embedded PostgreSQL's port.") var postgresPort: Int = 6432
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        for (option, value) in [("--port", port), ("--platform-port", platformPort)] where !(0...65_535).contains(value) {
            throw ValidationError("\(option) \(value) is not a port: expected 0 (any free port) to 65535")
        }
        // PostgreSQL cannot be told to pick a port, and clients are given this one.
        guard (1...65_535).contains(postgresPort) else {
            throw ValidationError("--postgres-port \(postgresPort) is not a port: expected 1 to 65535")
        }
    }

    func run() async throws {
        var environment = DevelopmentEnvironment(
            dataDirectory: URL(fileURLWithPath: dataDir).standardizedFileURL,
            webhooks: try DevelopmentEnvironment.webhooks(environment: ProcessInfo.processInfo.environment)
        )
        environment.apiPort = port
        environment.platformPort = platformPort
        environment.postgresPort = postgresPort
        environment.tracing = try TracingConfiguration(environment: ProcessInfo.processInfo.environment)
        try await environment.run(logger: logging.makeLogger())
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the Core API and the Platform API (configured by KAITEN_* environment variables)."
    )

    @Flag(help: "Apply pending migrations before serving.") var migrate = false
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        try await CompositionRoot.serve(try ServerConfiguration.fromEnvironment(), migrate: migrate, logger: logging.makeLogger())
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the SQL migrations to KAITEN_DATABASE_URL and exit.")

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let applied = try await Operator.migrate(try ServerConfiguration.fromEnvironment(), logger: logging.makeLogger())
        print(applied.isEmpty ? "already up to date" : "applied \(applied.joined(separator: ", "))")
    }
}

struct PlatformToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform-token",
        abstract: "Issue or revoke platform credentials (ksm_) on KAITEN_DATABASE_URL.",
        subcommands: [Create.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a platform credential and print it once.")
        @Option(help: "A name unique among active platform credentials.") var name: String
        @Option(parsing: .upToNextOption, help: "Scopes, e.g. write:organizations write:tokens delete:organizations.")
        var scopes: [String] = ["write:*"]
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let parsed = try scopes.map { text in
                guard let scope = Scope(parsing: text) else { throw ValidationError("unknown scope \(text)") }
                return scope
            }
            let issued = try await Operator.createPlatformToken(
                try ServerConfiguration.fromEnvironment(), name: name, scopes: parsed, logger: logging.makeLogger()
            )
            print("slug:  \(issued.slug)\ntoken: \(issued.token)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a platform credential and every token it minted.")
        @Option(help: "The credential's slug.") var slug: String
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let cascaded = try await Operator.revokePlatformToken(try ServerConfiguration.fromEnvironment(), slug: slug, logger: logging.makeLogger())
            print("revoked \(slug) and \(cascaded) token(s) it minted")
        }
    }
}
