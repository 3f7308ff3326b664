import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /connectors/{connectorName}/settings`: forgets the organization's settings of the connector and turns
/// it off, in one transaction. Succeeds whether or not there were any.
enum DeleteConnectorSettings {
    static let operation = APIOperation("delete-connector-settings", .delete, "/connectors/{connectorName}/settings")
    static let requiredScope = Scope.write(.organizations)

    static func register(on router: OperationRouter, module: ConnectorsModule) {
        router.on(operation) { _, context in
            try await module.deleteSettings(of: try context.parameters.decodedPath("connectorName"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension ConnectorsModule {
    func deleteSettings(of rawName: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteConnectorSettings.requiredScope)
        let name = try ConnectorRows.name(rawName, operation: "DeleteConnectorSettings")
        try await database.transaction { connection in
            try await connection.execute(
                "DELETE FROM connector_settings WHERE organization_id = \(caller.organizationID) AND connector_name = \(name)",
                logger: database.logger
            )
            try await deactivate(name: name, caller: caller, on: connection)
        }
    }
}
