import Hummingbird
import KaitenCore
import KaitenHTTP

/// The audit trail: every consumed event, kept per organization and per instance.
public struct AuditTrailModule: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func registerRoutes(on router: OperationRouter) {
        GetAuditTrails.register(on: router, module: self)
    }

    /// The consumer that writes the trail; the worker runs it.
    public var consumer: some EventConsumer { AuditTrailConsumer() }
}
