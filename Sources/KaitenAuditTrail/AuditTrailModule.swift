import Hummingbird
import KaitenCore
import KaitenHTTP

/// The audit trail: every consumed event, kept per organization and per instance, and each user's notifications,
/// a view over it.
package struct AuditTrailModule: Sendable {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func registerRoutes(on router: OperationRouter) {
        GetAuditTrails.register(on: router, module: self)
        ListNotifications.register(on: router, module: self)
        MarkNotificationsRead.register(on: router, module: self)
        GetNotificationPreferences.register(on: router, module: self)
        PutNotificationPreferences.register(on: router, module: self)
    }

    /// The consumer that writes the trail; the worker runs it.
    package var consumer: some EventConsumer { AuditTrailConsumer() }
}
