import Hummingbird
import KaitenCore
import KaitenHTTP

/// The connector registry: the integrations a deployment offers its organizations.
package struct ConnectorsModule: Sendable {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func registerPlatformRoutes(on router: OperationRouter) {
        RegisterConnector.register(on: router, module: self)
    }
}
