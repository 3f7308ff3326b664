import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /connectors/{connectorName}/settings`: the organization's settings of the connector, each secret (a
/// `writeOnly` property of the settings schema) read as `***`.
enum GetConnectorSettings {
    static let operation = APIOperation("get-connector-settings", .get, "/connectors/{connectorName}/settings")
    static let requiredScope = Scope.read(.organizations)

    static func register(on router: OperationRouter, module: ConnectorsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.settings(of: try context.parameters.decodedPath("connectorName"), caller: try context.organizationCaller()))
        }
    }
}

extension ConnectorsModule {
    func settings(of rawName: String, caller: OrganizationCaller) async throws -> ConnectorSettingsResource {
        try caller.require(GetConnectorSettings.requiredScope)
        let name = try ConnectorRows.name(rawName, operation: "GetConnectorSettings")
        guard
            let stored = try await ConnectorRows.settings(
                name: name, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw APIError.notFound("GetConnectorSettings.NotFound", "no settings are stored for connector \"\(name)\"")
        }
        // The registration's schema is what tells secrets from plain settings: never answer what cannot be redacted.
        let connector = try await ConnectorRows.registered(
            name: name, notFoundCode: "GetConnectorSettings.NotRegistered", on: database, logger: database.logger)
        return ConnectorSettingsResource(stored, of: connector)
    }
}
