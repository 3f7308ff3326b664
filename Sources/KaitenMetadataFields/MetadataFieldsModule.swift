import Hummingbird
import KaitenCore
import KaitenHTTP

/// Metadata fields: typed, JSON-Schema-validated metadata on instances and deployment zones.
package struct MetadataFieldsModule: Sendable {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func registerRoutes(on router: OperationRouter) {
        ListMetadataFields.register(on: router, module: self)
        CreateMetadataField.register(on: router, module: self)
        // Registered before the `{id}` routes it shares a prefix with; the router prefers the literal segment.
        ReorderMetadataFields.register(on: router, module: self)
        UpdateMetadataField.register(on: router, module: self)
        ArchiveMetadataField.register(on: router, module: self)
        UnarchiveMetadataField.register(on: router, module: self)
        DryRunMetadataField.register(on: router, module: self)
    }
}
