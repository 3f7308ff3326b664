import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KaitenCore
import KaitenFeatureFlags
import KaitenIdentity
import KaitenMigrations
import KaitenTestSupport
import KaitenWebhooks
import Logging
import NIOCore
import PostgresNIO
import Testing

@testable import KaitenApp

/// A Kaiten over its own fresh database, driven through both routers without sockets.
struct TestKaiten {
    static let jwtSecret = "test-jwt-secret"

    let core: any TestClientProtocol
    let platform: any TestClientProtocol
    let database: Database
    /// Where `database` connects: for processes a test starts against the same database.
    let databaseConfiguration: PostgresClient.Configuration
    /// A `ksm_` credential holding `write:*`.
    let platformToken: IdentityModule.IssuedPlatformToken

    /// Runs `body` against a fresh database; everything is torn down afterwards.
    static func run(
        webhooks: WebhooksConfiguration = WebhooksConfiguration(), _ body: @escaping @Sendable (TestKaiten) async throws -> Void
    ) async throws {
        var logger = Logger(label: "kaiten.tests")
        logger.logLevel = .warning
        let configuration = try await TestDatabaseServer.shared.newDatabase()
        let database = Database(configuration: configuration, logger: logger)
        let modules = try Modules(database: database, jwtVerifier: JWTVerifier(secret: jwtSecret), migrator: try Migrator(), webhooks: webhooks)
        let coreApp = Application(
            router: modules.coreListener().router, services: [database.client, modules.featureFlags.evaluationEvents], logger: logger)
        let platformApp = Application(router: modules.platformListener().router, logger: logger)
        try await coreApp.test(.router) { core in
            try await platformApp.test(.router) { platform in
                let token = try await IdentityModule(database: database).createPlatformToken(name: "tests", scopes: [.writeAll])
                try await body(
                    TestKaiten(core: core, platform: platform, database: database, databaseConfiguration: configuration, platformToken: token))
            }
        }
    }

    /// Ensures an organization and mints a token in it through the Platform API.
    func organization(
        _ externalID: String = "org_\(UUID().uuidString.prefix(8))", scopes: [String]? = nil
    ) async throws -> (id: String, token: String) {
        let organization = try await platform.json(
            .post, "/api/platform/organizations", token: platformToken.plaintext, body: ["externalId": .string(externalID)])
        let id = try #require(organization.json?["id"]?.stringValue)
        var body: [String: JSONValue] = ["name": .string("tests-\(UUID().uuidString.prefix(6))")]
        if let scopes { body["scopes"] = .array(scopes.map { .string($0) }) }
        let minted = try await platform.json(.post, "/api/platform/organizations/\(id)/tokens", token: platformToken.plaintext, body: body)
        #expect(minted.status == .created)
        return (id, try #require(minted.json?["token"]?.stringValue))
    }

    /// How many rows a SQL count query returns.
    func count(_ query: PostgresQuery) async throws -> Int {
        try await database.first(query, as: Int.self, logger: database.logger) ?? 0
    }
}

/// A response with its body parsed as JSON.
struct JSONResponseResult {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let json: [String: JSONValue]?
    let value: JSONValue?
}

extension TestClientProtocol {
    func json(
        _ method: HTTPRequest.Method,
        _ uri: String,
        token: String?,
        body: [String: JSONValue]? = nil,
        rawBody: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> JSONResponseResult {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        let payload = rawBody ?? body.map { JSONValue.object($0).jsonText }
        if payload != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: payload.map { ByteBuffer(string: $0) }) { response in
            let data = Array(response.body.readableBytesView)
            let value = data.isEmpty ? nil : try? JSONValue.parse(data)
            if case .object(let members)? = value {
                return JSONResponseResult(status: response.status, headers: response.headers, json: members, value: value)
            }
            return JSONResponseResult(status: response.status, headers: response.headers, json: nil, value: value)
        }
    }
}
