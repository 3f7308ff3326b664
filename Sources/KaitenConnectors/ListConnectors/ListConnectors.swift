import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /connectors`: every connector this deployment registered, by name. Not paged: a deployment offers a
/// handful.
enum ListConnectors {
    static let operation = APIOperation("list-connectors", .get, "/connectors")
    static let requiredScope = Scope.read(.organizations)

    static func register(on router: OperationRouter, module: ConnectorsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(try await module.list(caller: try context.organizationCaller()))
        }
    }
}

extension ConnectorsModule {
    func list(caller: OrganizationCaller) async throws -> [ConnectorResource] {
        try caller.require(ListConnectors.requiredScope)
        return try await ConnectorRows.all(on: database, logger: database.logger)
    }
}
