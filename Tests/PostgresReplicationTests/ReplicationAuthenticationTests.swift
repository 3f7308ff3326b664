import Foundation
import PostgresNIO
import PostgresReplication
import Testing

/// Password authentication against the real server: roles with passwords, and pg_hba lines (at the top of the
/// cluster's pg_hba.conf) that demand each method for its role.
///
/// No suite time limit: every wait here has its own deadline, and a suite limit also counted the start of the
/// process's shared PostgreSQL, which on a loaded machine took longer than the tests (the limit failed a clean run).
@Suite
struct ReplicationAuthenticationTests {
    let logger = ReplicationTestDatabase.logger

    @Test func cleartextMD5AndSCRAMPasswordsAreAccepted() async throws {
        try await ReplicationTestDatabase.with { database in
            let suffix = UUID().uuidString.lowercased().prefix(8)
            let roles = [("password", "kaiten_clear_\(suffix)"), ("md5", "kaiten_md5_\(suffix)"), ("scram-sha-256", "kaiten_scram_\(suffix)")]
            for (method, role) in roles {
                let encryption = method == "md5" ? "md5" : "scram-sha-256"
                try await database.transaction(
                    "SET LOCAL password_encryption = '\(encryption)'",
                    "CREATE ROLE \(role) LOGIN REPLICATION PASSWORD 'pa''ss wörd'"
                )
            }
            #expect(try await database.text("SELECT left(rolpassword, 3) FROM pg_authid WHERE rolname = 'kaiten_md5_\(suffix)'") == "md5")
            let hbaFile = try #require(try await database.text("SHOW hba_file"))
            let original = try String(contentsOfFile: hbaFile, encoding: .utf8)
            let lines = roles.map { "host all \($1) 127.0.0.1/32 \($0)" }.joined(separator: "\n")
            try (lines + "\n" + original).write(toFile: hbaFile, atomically: false, encoding: .utf8)
            try await database.execute("SELECT pg_reload_conf()")

            for (method, role) in roles {
                // The reload is asynchronous: until it lands the role would still be trusted, so wait until a
                // wrong password is refused.
                try await waitUntilPasswordIsChecked(database, role: role)
                let system = try await ReplicationConnection.withConnection(
                    configuration: database.replication(username: role, password: "pa'ss wörd"), logger: logger
                ) { connection in
                    try await connection.identifySystem()
                }
                #expect(system.database == database.configuration.database, "\(method)")
                await #expect(throws: ReplicationError.passwordRequired, "\(method)") {
                    try await ReplicationConnection.withConnection(configuration: database.replication(username: role), logger: logger) { _ in }
                }
            }
        }
    }

    private func waitUntilPasswordIsChecked(_ database: ReplicationTestDatabase, role: String) async throws {
        for _ in 0..<100 {
            do {
                try await ReplicationConnection.withConnection(configuration: database.replication(username: role, password: "wrong"), logger: logger)
                { _ in }
            } catch ReplicationError.server(let error) where error.sqlState == "28P01" {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the server never asked \(role) for a password")
    }
}
