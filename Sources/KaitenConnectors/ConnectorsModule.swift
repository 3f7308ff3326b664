import Hummingbird
import KaitenCore
import KaitenHTTP

/// Connectors: the integrations a deployment offers (registered on the Platform API), and each organization's
/// use of them (activation and settings, on the Core API).
package struct ConnectorsModule: Sendable {
    let database: Database
    /// Checks settings against the schema their connector registered.
    let schemaChecker: any JSONSchemaChecking

    package init(database: Database, schemaChecker: any JSONSchemaChecking) {
        self.database = database
        self.schemaChecker = schemaChecker
    }

    package func registerRoutes(on router: OperationRouter) {
        ListConnectors.register(on: router, module: self)
        GetConnector.register(on: router, module: self)
        GetConnectorState.register(on: router, module: self)
        ActivateConnector.register(on: router, module: self)
        DeactivateConnector.register(on: router, module: self)
        GetConnectorSettingsSchema.register(on: router, module: self)
        GetConnectorSettings.register(on: router, module: self)
        UpdateConnectorSettings.register(on: router, module: self)
        DeleteConnectorSettings.register(on: router, module: self)
    }

    package func registerPlatformRoutes(on router: OperationRouter) {
        RegisterConnector.register(on: router, module: self)
    }
}
