import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /connectors/{connectorName}/activation`: turns the connector off for the organization. Never refused
/// for the connector's sake: not registered any more, not licensed any more or not on at all, the organization
/// asked for "off" and gets it.
enum DeactivateConnector {
    static let operation = APIOperation("deactivate-connector", .delete, "/connectors/{connectorName}/activation")
    static let requiredScope = Scope.write(.organizations)

    static func register(on router: OperationRouter, module: ConnectorsModule) {
        router.on(operation) { _, context in
            try await module.deactivate(named: try context.parameters.decodedPath("connectorName"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension ConnectorsModule {
    func deactivate(named rawName: String, caller: OrganizationCaller) async throws {
        try caller.require(DeactivateConnector.requiredScope)
        let name = try ConnectorRows.name(rawName, operation: "DeactivateConnector")
        try await deactivate(name: name, caller: caller, on: database)
    }

    func deactivate(name: String, caller: OrganizationCaller, on executor: some SQLExecutor) async throws {
        try await executor.execute(
            "DELETE FROM organization_connector WHERE organization_id = \(caller.organizationID) AND connector_name = \(name)",
            logger: database.logger
        )
    }
}
