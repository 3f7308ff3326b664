import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /platform/connectors`: records a connector's manifest, or updates the one of the same name, so the
/// process hosting a connector can register it on every start.
enum RegisterConnector {
    static let operation = APIOperation("register-connector", .post, "/platform/connectors")
    static let requiredScope = Scope.write(.organizations)
    /// Reverse-DNS under `kaiten.`: lowercase labels of letters, digits, `-` and `_`.
    static let namePattern = TextPattern("^kaiten(\\.[a-z0-9][a-z0-9_-]*)+$")

    struct Command {
        let name: String
        let version: String
        let settingsSchema: [String: JSONValue]
        let entitlementSlug: String?

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            let name = reader.string(
                "name", required: true, minLength: 1, maxLength: 255,
                pattern: RegisterConnector.namePattern
            )
            let version = reader.string("version", required: true, minLength: 1, maxLength: 100)
            let schema = reader.object("settings_schema", required: true)
            entitlementSlug = reader.slug("entitlement_slug")
            try reader.finish()
            self.name = name!
            self.version = version!
            settingsSchema = schema!
        }
    }

    static func register(on router: OperationRouter, module: ConnectorsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let caller = try context.platformCaller()
            try caller.require(requiredScope)
            return try JSONResponse.make(try await module.register(command))
        }
    }
}

extension ConnectorsModule {
    func register(_ command: RegisterConnector.Command) async throws -> ConnectorResource {
        let row = try await database.first(
            """
            INSERT INTO connector (name, version, settings_schema, entitlement_slug)
            VALUES (\(command.name), \(command.version), \(JSONValue.object(command.settingsSchema).jsonText)::jsonb, \(command.entitlementSlug))
            ON CONFLICT (name) DO UPDATE
            SET version = EXCLUDED.version, settings_schema = EXCLUDED.settings_schema,
                entitlement_slug = EXCLUDED.entitlement_slug, updated_at = now()
            RETURNING created_at, updated_at
            """,
            as: (Date, Date).self,
            logger: database.logger
        )!
        return ConnectorResource(
            name: command.name,
            version: command.version,
            settingsSchema: command.settingsSchema,
            entitlementSlug: command.entitlementSlug,
            createdAt: row.0,
            updatedAt: row.1
        )
    }
}
