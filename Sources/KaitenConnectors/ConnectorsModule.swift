import Hummingbird
import KaitenCore
import KaitenHTTP

/// The connector registry: the integrations a deployment offers its organizations.
public struct ConnectorsModule: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func registerPlatformRoutes(on router: OperationRouter) {
        RegisterConnector.register(on: router, module: self)
    }
}
