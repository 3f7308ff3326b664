import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /connectors/{connectorName}/settings/schema`: the JSON Schema a connector's settings are checked against.
enum GetConnectorSettingsSchema {
    static let operation = APIOperation("get-connector-settings-schema", .get, "/connectors/{connectorName}/settings/schema")
    static let requiredScope = Scope.read(.organizations)

    struct SchemaResource: Encodable {
        let connectorName: String
        let version: String
        let schema: [String: JSONValue]

        enum CodingKeys: String, CodingKey {
            case connectorName = "connector_name"
            case version, schema
        }
    }

    static func register(on router: OperationRouter, module: ConnectorsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.settingsSchema(of: try context.parameters.decodedPath("connectorName"), caller: try context.organizationCaller()))
        }
    }
}

extension ConnectorsModule {
    func settingsSchema(of rawName: String, caller: OrganizationCaller) async throws -> GetConnectorSettingsSchema.SchemaResource {
        try caller.require(GetConnectorSettingsSchema.requiredScope)
        let name = try ConnectorRows.name(rawName, operation: "GetConnectorSettingsSchema")
        let connector = try await ConnectorRows.registered(
            name: name, notFoundCode: "GetConnectorSettingsSchema.NotRegistered", on: database, logger: database.logger)
        return GetConnectorSettingsSchema.SchemaResource(connectorName: connector.name, version: connector.version, schema: connector.settingsSchema)
    }
}
