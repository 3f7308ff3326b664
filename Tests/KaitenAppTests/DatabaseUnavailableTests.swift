import Foundation
import KaitenCore
import KaitenHTTP
import PostgresNIO
import Testing

/// What a client gets when PostgreSQL goes away under its request.
@Suite struct DatabaseUnavailableTests {
    @Test func aWriteWhoseConnectionTheServerEndsIsA503ProblemToRetry() async throws {
        try await TestKaiten.run { kaiten in
            // The server ends the session in the middle of the transaction, as a restart or a failover would.
            let failure = await #expect(throws: (any Error).self) {
                try await kaiten.database.transaction { connection in
                    try await connection.execute("SELECT pg_terminate_backend(pg_backend_pid())", logger: kaiten.database.logger)
                }
            }
            let problem = ProblemMiddleware.apiError(for: try #require(failure))
            #expect(problem.status == 503)
            #expect(problem.code == "Database.Unavailable")
        }
    }
}
