import KaitenCore
import KaitenMigrations
import Synchronization

/// `/api/readyz`: ready once the database schema is at this build's newest migration. It latches: once
/// ready, a replica stays ready, so a brief database hiccup does not take it out of rotation.
final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)
    private let database: Database
    private let migrator: Migrator

    init(database: Database, migrator: Migrator) {
        self.database = database
        self.migrator = migrator
    }

    func isReady() async -> Bool {
        if ready.load(ordering: .acquiring) { return true }
        guard let current = try? await migrator.currentVersion(database.client, logger: database.logger), current == migrator.latestVersion else {
            return false
        }
        ready.store(true, ordering: .releasing)
        return true
    }
}
