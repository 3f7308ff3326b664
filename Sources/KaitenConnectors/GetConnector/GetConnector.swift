import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /connectors/{connectorName}`: one registered connector.
enum GetConnector {
    static let operation = APIOperation("get-connector", .get, "/connectors/{connectorName}")
    static let requiredScope = Scope.read(.organizations)

    static func register(on router: OperationRouter, module: ConnectorsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.connector(named: try context.parameters.decodedPath("connectorName"), caller: try context.organizationCaller()))
        }
    }
}

extension ConnectorsModule {
    func connector(named rawName: String, caller: OrganizationCaller) async throws -> ConnectorResource {
        try caller.require(GetConnector.requiredScope)
        let name = try ConnectorRows.name(rawName, operation: "GetConnector")
        return try await ConnectorRows.registered(name: name, notFoundCode: "GetConnector.NotFound", on: database, logger: database.logger)
    }
}
