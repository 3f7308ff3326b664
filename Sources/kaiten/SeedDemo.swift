import ArgumentParser
import Foundation
import KaitenApp
import KaitenDevelopment

/// `kaiten seed-demo`: fills an organization with enough data to try the console at scale.
struct SeedDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract:
            "Fill an organization of KAITEN_DATABASE_URL with demo data: a catalog, four licenses, customers, instances, a year of weekly usage and its audit trail (for `kaiten dev`: KAITEN_DATABASE_URL=postgres://kaiten@127.0.0.1:6432/kaiten)."
    )

    @Option(help: "The organization's external id (kaiten dev's is kaiten-dev).") var organization = "kaiten-dev"
    @Option(help: "Customers to create.") var customers = 1_000
    @Option(help: "Instances to create, spread over the customers.") var instances = 10_000
    @Option(help: "Weekly usage reports per instance.") var weeks = 52
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard customers > 0, instances >= 0, (1...520).contains(weeks) else {
            throw ValidationError("customers must be positive, instances not negative, weeks between 1 and 520")
        }
    }

    func run() async throws {
        var demo = DemoData()
        demo.customers = customers
        demo.instances = instances
        demo.usageWeeks = weeks
        let configuration = try ServerConfiguration.fromEnvironment()
        let external = organization
        let seeder = demo
        let seeded = try await CompositionRoot.withDatabase(configuration.database, logger: logging.makeLogger()) { database in
            try await seeder.seed(organizationExternalID: external, database: database)
        }
        print(
            seeded
                ? "seeded \(external): \(customers) customers, \(instances) instances, \(weeks) weeks of usage"
                : "\(external) already has the demo data")
    }
}
