import Foundation
import HTTPTypes
import KaitenCore
import KaitenIdentity
import PostgresNIO
import Testing

/// A write and its event commit together or not at all.
@Suite struct OutboxAtomicityTests {
    @Test func aCommittedWriteRecordsItsEventWithTheRequestsTraceContext() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            let created = try await kaiten.core.json(
                .post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme"], headers: [HTTPField.Name("traceparent")!: traceparent]
            )
            #expect(created.status == .created)
            let event = try await kaiten.database.first(
                "SELECT event_name, event_type, data->>'slug', headers->>'traceparent' FROM outbox_events WHERE organization_id = \(UUID(uuidString: organization)!) AND event_name = 'CUSTOMER_CREATED'",
                as: (String, String, String, String?).self,
                logger: kaiten.database.logger
            )
            #expect(event?.0 == "CUSTOMER_CREATED")
            #expect(event?.1 == "com.kaiten.customer.v1.created")
            #expect(event?.2 == "acme")
            #expect(event?.3 == traceparent)
        }
    }

    @Test func aFailedWriteLeavesNoEvent() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            #expect(try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme"]).status == .created)
            let before = try await kaiten.count("SELECT count(*) FROM outbox_events WHERE event_name LIKE 'CUSTOMER_%'")
            let conflict = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme again", "slug": "acme"])
            #expect(conflict.status == .conflict)
            #expect(conflict.json?["code"] == .string("CreateCustomer.SlugConflict"))
            #expect(try await kaiten.count("SELECT count(*) FROM outbox_events WHERE event_name LIKE 'CUSTOMER_%'") == before)
            #expect(try await kaiten.count("SELECT count(*) FROM customer") == 1)
        }
    }

    @Test func aFailedEventInsertLeavesNoWrite() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            try await kaiten.database.client.query(
                """
                CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$
                """,
                logger: kaiten.database.logger
            )
            try await kaiten.database.client.query(
                "CREATE TRIGGER refuse_customer_events BEFORE INSERT ON outbox_events FOR EACH ROW WHEN (NEW.event_name LIKE 'CUSTOMER_%') EXECUTE FUNCTION refuse_events()",
                logger: kaiten.database.logger
            )
            let failed = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme"])
            #expect(failed.status == .internalServerError)
            #expect(failed.json?["code"] == .string("INTERNAL"))
            #expect(failed.json?["errorId"]?.stringValue != nil)
            #expect(try await kaiten.count("SELECT count(*) FROM customer") == 0)
            try await kaiten.database.client.query("DROP TRIGGER refuse_customer_events ON outbox_events", logger: kaiten.database.logger)
            #expect(try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme"]).status == .created)
        }
    }

    /// The outbox on a 256 KB file system of its own, filled up: a real disk-full, as only root can make it.
    @Test(.enabled(if: getuid() == 0, "mounting a small file system takes root"))
    func aWriteRefusedForWantOfDiskAnswers503AndLeavesNothingAndTheNextOneLands() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            try await SmallFileSystem.with(bytes: 256 * 1024) { directory in
                let tablespace = "outbox_\(UUID().uuidString.prefix(8).lowercased())"
                let database = kaiten.database
                try await database.execute(
                    PostgresQuery(unsafeSQL: "CREATE TABLESPACE \(tablespace) LOCATION '\(directory)'"), logger: database.logger)
                try await database.execute(
                    PostgresQuery(unsafeSQL: "ALTER TABLE outbox_events SET TABLESPACE \(tablespace)"), logger: database.logger)
                try await database.execute(
                    PostgresQuery(unsafeSQL: "CREATE TABLE filler (bytes text) TABLESPACE \(tablespace)"), logger: database.logger)
                try await database.execute("ALTER TABLE filler ALTER COLUMN bytes SET STORAGE PLAIN", logger: database.logger)
                // Fill what the outbox has not used, leaving it no page to grow into.
                while (try? await database.execute("INSERT INTO filler SELECT repeat('x', 2000) FROM generate_series(1, 4)", logger: database.logger))
                    != nil
                {}

                var created: [String] = []
                var refused: JSONResponseResult?
                for n in 1...100 where refused == nil {
                    let response = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": .string("Customer \(n)")])
                    if response.status == .created {
                        created.append(try #require(response.json?["slug"]?.stringValue))
                    } else {
                        refused = response
                    }
                }
                let problem = try #require(refused, "the outbox ran out of room")
                #expect(problem.status == .serviceUnavailable)
                #expect(problem.json?["code"] == "Database.Unavailable")
                #expect(try await kaiten.count("SELECT count(*) FROM customer") == created.count, "the refused write left no customer")
                #expect(try await kaiten.count("SELECT count(*) FROM outbox_events WHERE event_name = 'CUSTOMER_CREATED'") == created.count)
                #expect(try await kaiten.core.json(.get, "/api/customers", token: token).status == .ok, "reads go on")

                try await database.execute("DROP TABLE filler", logger: database.logger)
                let after = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "After the disk was freed"])
                #expect(after.status == .created)
                #expect(try await kaiten.count("SELECT count(*) FROM outbox_events WHERE event_name = 'CUSTOMER_CREATED'") == created.count + 1)

                try await database.execute("ALTER TABLE outbox_events SET TABLESPACE pg_default", logger: database.logger)
                try await database.execute(PostgresQuery(unsafeSQL: "DROP TABLESPACE \(tablespace)"), logger: database.logger)
            }
        }
    }

    @Test func updateAndDeleteEventsCarryTheAfterAndBeforeStates() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme", "domain": "acme.com"])
            #expect(try await kaiten.core.json(.put, "/api/customers/acme", token: token, body: ["name": "Acme Inc"]).status == .noContent)
            #expect(try await kaiten.core.json(.delete, "/api/customers/acme", token: token).status == .noContent)
            let rows = try await kaiten.database.all(
                "SELECT event_name, data->>'name', data->>'domain' FROM outbox_events WHERE event_name LIKE 'CUSTOMER_%' ORDER BY occurred_at, event_name",
                as: (String, String, String?).self,
                logger: kaiten.database.logger
            )
            #expect(rows.map(\.0) == ["CUSTOMER_CREATED", "CUSTOMER_UPDATED", "CUSTOMER_DELETED"])
            #expect(rows[1].1 == "Acme Inc" && rows[1].2 == nil)
            #expect(rows[2].1 == "Acme Inc")
        }
    }
}

/// A tmpfs of a given size, mounted for the length of a closure and owned by the account PostgreSQL runs as.
private enum SmallFileSystem {
    static func with(bytes: Int, _ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kaiten-small-fs-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The embedded server runs as `postgres` when the tests run as root.
        let owner = getpwnam("postgres").map { "uid=\($0.pointee.pw_uid),gid=\($0.pointee.pw_gid)," } ?? ""
        try run("/bin/mount", ["-t", "tmpfs", "-o", "\(owner)mode=0700,size=\(bytes)", "tmpfs", directory])
        do {
            try await body(directory)
        } catch {
            try? run("/bin/umount", ["-l", directory])
            throw error
        }
        try run("/bin/umount", ["-l", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(
                .executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(executable) \(arguments) exited with \(process.terminationStatus)"])
        }
    }
}
