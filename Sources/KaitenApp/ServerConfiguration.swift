import Foundation
import KaitenCore
import KaitenWebhooks
import PostgresNIO

/// What a Kaiten server process listens on and talks to.
///
/// - Configuration keys (environment):
///   - `KAITEN_API_HOST` (string, default `127.0.0.1`): the address both listeners bind.
///   - `KAITEN_API_PORT` (int, default 6060): the Core API.
///   - `KAITEN_PLATFORM_API_PORT` (int, default 3001): the Platform API; must differ from the Core port.
///   - `KAITEN_DATABASE_URL` (`postgres://user[:password]@host[:port]/database`): PostgreSQL.
///   - `KAITEN_JWT_SECRET` (string, optional): the HS256 key identity-provider JWTs are signed with;
///     without it only `ksh_` tokens authenticate on the Core API.
///   - `KAITEN_WEBHOOKS_*`: webhook delivery, as ``WebhooksConfiguration`` lists.
///   - `OTEL_*`: traces, as ``TracingConfiguration`` lists.
package struct ServerConfiguration: Sendable {
    package var host: String
    package var apiPort: Int
    package var platformPort: Int
    package var database: PostgresClient.Configuration
    package var jwtSecret: String?
    package var webhooks = WebhooksConfiguration()
    /// Whether the console's session cookie is sent over HTTPS only (`KAITEN_CONSOLE_SECURE_COOKIES`, on unless
    /// `0`/`false`): turn it off only where the console is reached over plain HTTP on a trusted network.
    package var secureConsoleCookies = true
    package var tracing = TracingConfiguration.disabled

    package init(
        host: String = "127.0.0.1", apiPort: Int = 6060, platformPort: Int = 3001, database: PostgresClient.Configuration, jwtSecret: String? = nil
    ) {
        self.host = host
        self.apiPort = apiPort
        self.platformPort = platformPort
        self.database = database
        self.jwtSecret = jwtSecret
    }

    /// Reads the configuration from the environment, as the keys above describe.
    package static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        guard let url = environment["KAITEN_DATABASE_URL"] else { throw ConfigurationError.missing("KAITEN_DATABASE_URL") }
        var configuration = ServerConfiguration(
            host: environment["KAITEN_API_HOST"] ?? "127.0.0.1",
            apiPort: try port(environment, "KAITEN_API_PORT", default: 6060),
            platformPort: try port(environment, "KAITEN_PLATFORM_API_PORT", default: 3001),
            database: try databaseConfiguration(url: url),
            jwtSecret: environment["KAITEN_JWT_SECRET"]
        )
        configuration.webhooks = try WebhooksConfiguration(environment: environment)
        configuration.tracing = try TracingConfiguration(environment: environment)
        switch environment["KAITEN_CONSOLE_SECURE_COOKIES"]?.lowercased() {
        case nil, "1", "true": configuration.secureConsoleCookies = true
        case "0", "false": configuration.secureConsoleCookies = false
        default: throw ConfigurationError.invalid("KAITEN_CONSOLE_SECURE_COOKIES", "expected 1, 0, true or false")
        }
        guard configuration.apiPort != configuration.platformPort || configuration.apiPort == 0 else {
            throw ConfigurationError.invalid("KAITEN_PLATFORM_API_PORT", "must differ from KAITEN_API_PORT")
        }
        return configuration
    }

    /// A pool configuration from a `postgres://` URL.
    package static func databaseConfiguration(url text: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme), let host = url.host, let user = url.user else {
            throw ConfigurationError.invalid("KAITEN_DATABASE_URL", "expected postgres://user[:password]@host[:port]/database")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        return PostgresClient.Configuration(
            host: host,
            port: url.port ?? 5432,
            username: user,
            password: url.password,
            database: database.isEmpty ? user : database,
            tls: .disable
        )
    }

    static func port(_ environment: [String: String], _ key: String, default fallback: Int) throws -> Int {
        guard let text = environment[key] else { return fallback }
        guard let port = Int(text), (0...65535).contains(port) else { throw ConfigurationError.invalid(key, "expected a port number") }
        return port
    }
}

package enum ConfigurationError: Error, CustomStringConvertible {
    case missing(String)
    case invalid(String, String)

    package var description: String {
        switch self {
        case .missing(let key): "\(key) is not set"
        case .invalid(let key, let reason): "\(key) is invalid: \(reason)"
        }
    }
}
