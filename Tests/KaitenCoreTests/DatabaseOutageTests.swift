import EmbeddedServers
import KaitenCore
import KaitenTestSupport
import Logging
import PostgresNIO
import Testing

/// PostgreSQL stopped under a running pool, on a cluster of the test's own.
@Suite("Database outage")
struct DatabaseOutageTests {
    @Test(
        "while PostgreSQL is down a statement fails within the lease timeout as unavailability and writes nothing; the outage is one warning and one recovery line"
    )
    func anOutageFailsFastWritesNothingAndIsLoggedOnce() async throws {
        var quiet = Logger(label: "kaiten.tests")
        quiet.logLevel = .warning
        let server = try await TestDatabaseServer.launch(logger: quiet)
        let log = CapturedLog()
        var database = Database(configuration: TestDatabaseServer.configuration(of: server, database: "postgres"), logger: log.logger)
        database.leaseTimeout = .milliseconds(200)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [database] in await database.client.run() }
            defer { group.cancelAll() }
            try await database.execute("CREATE TABLE written (n int)", logger: database.logger)

            await server.stop()
            for n in 1...3 {
                await #expect(throws: (any Error).self, "write \(n) while PostgreSQL is down") {
                    do {
                        try await database.transaction { try await $0.execute("INSERT INTO written VALUES (\(n))", logger: database.logger) }
                    } catch {
                        #expect(PostgresFailure.isUnavailability(error), "\(String(reflecting: error))")
                        throw error
                    }
                }
            }

            try await server.start()
            var recovered = false
            for _ in 0..<600 where !recovered {
                recovered =
                    (try? await database.transaction { try await $0.execute("INSERT INTO written VALUES (4)", logger: database.logger) }) != nil
            }
            #expect(recovered, "a write commits once PostgreSQL is back")
            let written = try await database.all("SELECT n FROM written ORDER BY n", as: Int.self, logger: database.logger)
            #expect(written == [4], "the refused writes left nothing behind")
        }
        await server.stop()
        let outage = log.captured.filter { $0.level > .debug && $0.message.contains("the database is unavailable") }
        #expect(outage.map(\.level) == [.warning, .info], "one line as the outage begins, one as it ends: \(outage.map(\.message))")
        #expect(!log.captured.contains { $0.message.contains("hasn't been called yet") })
    }

    /// postgres-nio leaves a statement written to a connection that has closed unanswered; a ROLLBACK sent after
    /// the server ended the session used to wait forever, a race lost a few times in a hundred.
    @Test(
        "a transaction whose session the server ends fails as unavailability, every time, and the next one commits",
        .timeLimit(.minutes(2))
    )
    func aTransactionWhoseSessionEndsFailsAndNeverWaitsForever() async throws {
        var quiet = Logger(label: "kaiten.tests")
        quiet.logLevel = .critical
        let database = Database(configuration: try await TestDatabaseServer.shared.newDatabase(), logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            for _ in 0..<100 {
                await #expect(throws: (any Error).self) {
                    do {
                        try await database.transaction { try await $0.execute("SELECT pg_terminate_backend(pg_backend_pid())", logger: quiet) }
                    } catch {
                        #expect(PostgresFailure.isUnavailability(error), "\(String(reflecting: error))")
                        throw error
                    }
                }
            }
            let one = try await database.transaction { try await $0.first("SELECT 1", as: Int.self, logger: quiet) }
            #expect(one == 1, "the pool hands out a working connection after all that")
        }
    }
}
