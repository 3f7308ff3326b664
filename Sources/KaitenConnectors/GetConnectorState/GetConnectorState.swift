import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /connectors/{connectorName}/state`: three answers a 404 could not tell apart: whether this deployment
/// has the connector, whether the organization's licenses grant it, whether the organization turned it on.
/// An unknown connector is a state (`available: false`), not an error.
enum GetConnectorState {
    static let operation = APIOperation("get-connector-state", .get, "/connectors/{connectorName}/state")
    static let requiredScope = Scope.read(.organizations)

    struct StateResource: Encodable {
        let connectorName: String
        let available: Bool
        let entitled: Bool
        let activated: Bool
        let version: String?
        let activatedAt: Date?
    }

    static func register(on router: OperationRouter, module: ConnectorsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.state(of: try context.parameters.decodedPath("connectorName"), caller: try context.organizationCaller()))
        }
    }
}

extension ConnectorsModule {
    func state(of rawName: String, caller: OrganizationCaller) async throws -> GetConnectorState.StateResource {
        try caller.require(GetConnectorState.requiredScope)
        let name = try ConnectorRows.name(rawName, operation: "GetConnectorState")
        guard let connector = try await ConnectorRows.find(name: name, on: database, logger: database.logger) else {
            return GetConnectorState.StateResource(
                connectorName: name, available: false, entitled: false, activated: false, version: nil, activatedAt: nil)
        }
        let entitled = try await ConnectorRows.isEntitled(
            to: connector, organizationID: caller.organizationID, on: database, logger: database.logger)
        let activatedAt = try await ConnectorRows.activatedAt(
            name: name, organizationID: caller.organizationID, on: database, logger: database.logger)
        return GetConnectorState.StateResource(
            connectorName: name, available: true, entitled: entitled, activated: activatedAt != nil, version: connector.version,
            activatedAt: activatedAt
        )
    }
}
