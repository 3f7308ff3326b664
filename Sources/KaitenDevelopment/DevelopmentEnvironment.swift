import EmbeddedServers
import Foundation
import KaitenApp
import KaitenCore
import KaitenMigrations
import KaitenWebhooks
import Logging
import PostgresNIO

/// `kaiten dev`: Kaiten with its own PostgreSQL, migrated, with a development organization and credentials.
package struct DevelopmentEnvironment: Sendable {
    package var dataDirectory: URL
    package var host = "127.0.0.1"
    package var apiPort = 6060
    package var platformPort = 3001
    package var postgresPort = 6432
    /// Print the banner (URLs and credentials) once serving; off for tests that read the file instead.
    package var printBanner = true
    package var webhooks: WebhooksConfiguration
    package var tracing = TracingConfiguration.disabled

    /// A developer's webhook receiver runs on their own machine, so unlike `kaiten serve`, `kaiten dev` delivers
    /// to loopback and private addresses unless `KAITEN_WEBHOOKS_ALLOW_PRIVATE=0` says otherwise.
    package static func webhooks(environment: [String: String]) throws -> WebhooksConfiguration {
        var defaults = WebhooksConfiguration()
        defaults.allowPrivateAddresses = true
        return try WebhooksConfiguration(environment: environment, defaults: defaults)
    }

    package init(dataDirectory: URL, webhooks: WebhooksConfiguration) {
        self.dataDirectory = dataDirectory
        self.webhooks = webhooks
    }

    package func run(logger: Logger) async throws {
        let postgres = EmbeddedPostgres(
            configuration: .init(dataDirectory: dataDirectory.appendingPathComponent("postgres"), port: postgresPort),
            logger: logger
        )
        try await postgres.start()
        do {
            try await serve(postgres: postgres, logger: logger)
        } catch {
            await postgres.stop()
            throw error
        }
        await postgres.stop()
    }

    private func serve(postgres: EmbeddedPostgres, logger: Logger) async throws {
        let user = postgres.configuration.superuser
        try await DatabaseProvisioning.ensureDatabase("kaiten", host: "127.0.0.1", port: postgresPort, user: user, logger: logger)
        let jwtSecret = DevelopmentCredentials.load(from: dataDirectory)?.jwtSecret ?? base64URL((0..<32).map { _ in UInt8.random(in: 0...255) })
        var configuration = ServerConfiguration(
            host: host,
            apiPort: apiPort,
            platformPort: platformPort,
            database: .init(host: "127.0.0.1", port: postgresPort, username: user, password: nil, database: "kaiten", tls: .disable),
            jwtSecret: jwtSecret
        )
        configuration.webhooks = webhooks
        configuration.tracing = tracing
        // The developer's browser reaches the console over plain HTTP on loopback.
        configuration.secureConsoleCookies = false
        let webhooks = webhooks
        let directory = dataDirectory
        let started = CredentialsBox()
        let printBanner = printBanner
        let postgresPort = postgresPort
        try await CompositionRoot.serve(
            configuration,
            migrate: true,
            logger: logger,
            prepare: { database in
                let ensured = try await DevelopmentCredentials.ensure(in: directory, jwtSecret: jwtSecret, database: database)
                await started.set(ensured, consoleSignIn: try await ensured.consoleSignInSecret(database: database))
            },
            onListening: { endpoints in
                guard let credentials = await started.value, let consoleSignIn = await started.consoleSignIn else { return }
                // A fresh one-time link at every start; also saved for scripts and tests that drive a browser.
                let consoleLink = "\(endpoints.coreOrigin)/console/sign-in/link/\(consoleSignIn)"
                let linkFile = directory.appendingPathComponent("console-sign-in-link")
                try? Data(consoleLink.utf8).write(to: linkFile, options: .atomic)
                chmod(linkFile.path, 0o600)
                guard printBanner else { return }
                let banner = """

                    Kaiten is running (Ctrl-C stops it, PostgreSQL included).

                      Console         \(consoleLink)
                                      (a one-time link that signs you in; restart for another, or sign in with the org token)
                      Core API        \(endpoints.core)
                      Platform API    \(endpoints.platform)
                      PostgreSQL      postgres://\(user)@127.0.0.1:\(postgresPort)/kaiten

                      Organization    \(DevelopmentCredentials.organizationName) (\(credentials.organizationID.lowercased), external id \(DevelopmentCredentials.organizationExternalID))
                      Org token       \(credentials.organizationToken)    (ksh_, write:*)
                      Platform token  \(credentials.platformToken)    (ksm_, write:*)
                      JWT secret      \(credentials.jwtSecret)    (HS256)

                      Webhooks        \(webhooks.allowPrivateAddresses ? "delivered to loopback and private addresses too (KAITEN_WEBHOOKS_ALLOW_PRIVATE=0 to refuse them)" : "public addresses only")

                      Saved in \(directory.appendingPathComponent("credentials.json").path)


                    """
                FileHandle.standardOutput.write(Data(banner.utf8))
            },
            services: { CompositionRoot.inProcessPipeline($0, webhooks: webhooks) }
        )
    }
}

private actor CredentialsBox {
    var value: DevelopmentCredentials?
    var consoleSignIn: String?

    func set(_ credentials: DevelopmentCredentials, consoleSignIn: String) {
        value = credentials
        self.consoleSignIn = consoleSignIn
    }
}
