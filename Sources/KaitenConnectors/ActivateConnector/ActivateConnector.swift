import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /connectors/{connectorName}/activation`: turns a registered connector on for the organization. Asks, in
/// this order, whether it is registered (404) and whether the organization's licenses grant the entitlement
/// that gates it (403), then activates; activating again keeps the first activation's time.
enum ActivateConnector {
    static let operation = APIOperation("activate-connector", .put, "/connectors/{connectorName}/activation")
    static let requiredScope = Scope.write(.organizations)

    struct ActivationResource: Encodable {
        let connectorName: String
        let activatedAt: Date
    }

    static func register(on router: OperationRouter, module: ConnectorsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.activate(named: try context.parameters.decodedPath("connectorName"), caller: try context.organizationCaller()))
        }
    }
}

extension ConnectorsModule {
    func activate(named rawName: String, caller: OrganizationCaller) async throws -> ActivateConnector.ActivationResource {
        try caller.require(ActivateConnector.requiredScope)
        let name = try ConnectorRows.name(rawName, operation: "ActivateConnector")
        return try await database.transaction { connection in
            let activatedAt = try await activate(name: name, operation: "ActivateConnector", caller: caller, on: connection)
            return ActivateConnector.ActivationResource(connectorName: name, activatedAt: activatedAt)
        }
    }

    /// Activates the connector in the caller's transaction, after the registration and license checks, and
    /// answers when it was first activated. Shared with the settings update: configuring a connector turns it
    /// on, and must be refused exactly when activating it would be.
    func activate(name: String, operation: String, caller: OrganizationCaller, on connection: PostgresConnection) async throws -> Date {
        let connector = try await ConnectorRows.registered(
            name: name, notFoundCode: "\(operation).NotRegistered", on: connection, logger: database.logger)
        guard try await ConnectorRows.isEntitled(to: connector, organizationID: caller.organizationID, on: connection, logger: database.logger)
        else {
            throw APIError.forbidden(
                "\(operation).NotEntitled",
                "this organization's licenses do not grant \"\(connector.entitlementSlug ?? "")\", which connector \"\(name)\" requires")
        }
        return try await connection.first(
            """
            INSERT INTO organization_connector (organization_id, connector_name) VALUES (\(caller.organizationID), \(name))
            ON CONFLICT (organization_id, connector_name) DO UPDATE SET activated_at = organization_connector.activated_at
            RETURNING activated_at
            """,
            as: Date.self,
            logger: database.logger
        )!
    }
}
