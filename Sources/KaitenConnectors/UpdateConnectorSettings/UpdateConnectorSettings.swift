import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /connectors/{connectorName}/settings`: replaces the organization's settings of the connector and turns
/// it on, as configuring a connector does in Kaiten (refused, with nothing stored, when activating would be).
/// A secret left out, empty or sent back as `***` keeps the stored one, so a client never has to hold it. The
/// settings, secrets merged in, must pass the connector's settings schema.
enum UpdateConnectorSettings {
    static let operation = APIOperation("update-connector-settings", .put, "/connectors/{connectorName}/settings")
    static let requiredScope = Scope.write(.organizations)

    /// The `ConnectorSettings` body; `connector_name` is read-only and ignored when sent back.
    struct Command {
        let settings: [String: JSONValue]

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            let settings = reader.object("settings", required: true)
            _ = reader.string("connector_name")
            try reader.finish()
            guard let settings, !settings.isEmpty else {
                throw APIError.validation("UpdateConnectorSettings.InvalidPayload", "connector settings cannot be empty")
            }
            self.settings = settings
        }
    }

    static func register(on router: OperationRouter, module: ConnectorsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            return try JSONResponse.make(
                try await module.updateSettings(
                    of: try context.parameters.decodedPath("connectorName"), command, caller: try context.organizationCaller()))
        }
    }
}

extension ConnectorsModule {
    func updateSettings(
        of rawName: String, _ command: UpdateConnectorSettings.Command, caller: OrganizationCaller
    ) async throws
        -> ConnectorSettingsResource
    {
        try caller.require(UpdateConnectorSettings.requiredScope)
        let operation = "UpdateConnectorSettings"
        let name = try ConnectorRows.name(rawName, operation: operation)
        return try await database.transaction { connection in
            let connector = try await ConnectorRows.registered(
                name: name, notFoundCode: "\(operation).NotRegistered", on: connection, logger: database.logger)
            let stored = try await ConnectorRows.settings(
                name: name, organizationID: caller.organizationID, on: connection, logger: database.logger)
            var settings = command.settings
            for secret in connector.secretSettings {
                let sent = settings[secret]
                let keepsStored = sent == nil || sent == .null || sent == .string("") || sent == .string(ConnectorSettingsResource.redactedSecret)
                if keepsStored, let kept = stored?[secret] { settings[secret] = kept }
            }
            if let violations = schemaChecker.violations(of: .object(settings), against: connector.settingsSchema, location: "body.settings"),
                !violations.isEmpty
            {
                throw APIError.validation(
                    "\(operation).InvalidPayloadSchema", "the settings do not match connector \"\(name)\"'s settings schema", errors: violations)
            }
            _ = try await activate(name: name, operation: operation, caller: caller, on: connection)
            try await connection.execute(
                """
                INSERT INTO connector_settings (organization_id, connector_name, settings)
                VALUES (\(caller.organizationID), \(name), \(JSONValue.object(settings).jsonText)::jsonb)
                ON CONFLICT (organization_id, connector_name) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()
                """,
                logger: database.logger
            )
            return ConnectorSettingsResource(settings, of: connector)
        }
    }
}
