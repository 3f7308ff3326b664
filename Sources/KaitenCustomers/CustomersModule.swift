import Hummingbird
import KaitenCore
import KaitenHTTP

/// Customers: the end clients of the organization's product, each owning its instances.
package struct CustomersModule: Sendable {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func registerRoutes(on router: OperationRouter) {
        CreateCustomer.register(on: router, module: self)
        ListCustomers.register(on: router, module: self)
        GetCustomer.register(on: router, module: self)
        UpdateCustomer.register(on: router, module: self)
        DeleteCustomer.register(on: router, module: self)
        GetCustomerIntegration.register(on: router, module: self)
        CreateCustomerIntegration.register(on: router, module: self)
        UpdateCustomerIntegration.register(on: router, module: self)
        DeleteCustomerIntegration.register(on: router, module: self)
        GetCustomerIntegrationByExternalId.register(on: router, module: self)
        UpsertCustomerIntegrationByExternalId.register(on: router, module: self)
    }
}
