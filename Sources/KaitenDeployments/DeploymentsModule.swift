import Hummingbird
import KaitenCore
import KaitenHTTP

/// Components, the releases made of them, and the deployment zones that run releases. One module because the
/// three refer to each other: a release holds components, a zone's deployment log holds releases.
package struct DeploymentsModule: Sendable {
    let database: Database
    let metadataValidator: any MetadataValidating

    package init(database: Database, metadataValidator: any MetadataValidating) {
        self.database = database
        self.metadataValidator = metadataValidator
    }

    package func registerRoutes(on router: OperationRouter) {
        ListComponents.register(on: router, module: self)
        CreateComponent.register(on: router, module: self)
        GetComponent.register(on: router, module: self)
        UpdateComponent.register(on: router, module: self)
        DeleteComponent.register(on: router, module: self)
        ListReleases.register(on: router, module: self)
        CreateRelease.register(on: router, module: self)
        GetReleaseBySlug.register(on: router, module: self)
        DeleteRelease.register(on: router, module: self)
        ListDeploymentZones.register(on: router, module: self)
        CreateDeploymentZone.register(on: router, module: self)
        GetDeploymentZoneBySlug.register(on: router, module: self)
        UpdateDeploymentZone.register(on: router, module: self)
        DeleteDeploymentZone.register(on: router, module: self)
    }
}
