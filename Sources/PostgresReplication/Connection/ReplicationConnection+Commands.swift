import PostgresReplicationProtocol

/// `IDENTIFY_SYSTEM`'s answer.
package struct SystemIdentification: Hashable, Sendable {
    package var systemID: String
    package var timeline: Int
    /// The current WAL flush position.
    package var walPosition: LSN
    package var database: String?
}

/// A logical slot ready to stream from.
package struct ReplicationSlot: Hashable, Sendable {
    package var name: String
    /// False when the slot already existed and was reused.
    package var created: Bool
    /// For a new slot its consistent point, for an existing one its `confirmed_flush_lsn`: where streaming from
    /// `.zero` begins.
    package var position: LSN?
    /// For a new slot, the snapshot it was created at: a transaction that sets it (`SET TRANSACTION SNAPSHOT`)
    /// sees exactly the rows committed before the slot's first streamed transaction. PostgreSQL keeps it only
    /// until this connection runs its next command.
    package var exportedSnapshot: String?
}

extension ReplicationConnection {
    package func identifySystem() async throws -> SystemIdentification {
        let result = try await simpleQuery("IDENTIFY_SYSTEM")
        guard let systemID = result.firstValue("systemid"), let timeline = result.firstValue("timeline").flatMap({ Int($0) }),
            let position = result.firstValue("xlogpos").flatMap({ LSN($0) })
        else { throw ReplicationError.protocolViolation("IDENTIFY_SYSTEM returned \(result.columns)") }
        return SystemIdentification(systemID: systemID, timeline: timeline, walPosition: position, database: result.firstValue("dbname"))
    }

    /// Creates a logical slot with pgoutput, exporting its snapshot, or reuses the existing one of that name.
    ///
    /// Reusing checks that the slot is a pgoutput slot of this database: streaming another database's slot, or
    /// another plugin's, would fail later in a less obvious way.
    package func createLogicalSlotIfMissing(_ name: String) async throws -> ReplicationSlot {
        guard SQLQuoting.isValidSlotName(name) else { throw ReplicationError.invalidSlot("'\(name)' is not a valid slot name") }
        do {
            let result = try await simpleQuery("CREATE_REPLICATION_SLOT \(name) LOGICAL pgoutput (SNAPSHOT 'export')")
            let snapshot = result.firstValue("snapshot_name")
            if let snapshot, snapshot.isEmpty || !snapshot.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                throw ReplicationError.protocolViolation("CREATE_REPLICATION_SLOT exported a snapshot named '\(snapshot)'")
            }
            return ReplicationSlot(
                name: name,
                created: true,
                position: result.firstValue("consistent_point").flatMap { LSN($0) },
                exportedSnapshot: snapshot
            )
        } catch ReplicationError.server(let error) where error.sqlState == "42710" {
            let existing = try await simpleQuery(
                "SELECT plugin, slot_type, database, confirmed_flush_lsn::text AS confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = \(SQLQuoting.literal(name))"
            )
            guard existing.firstValue("slot_type") == "logical", existing.firstValue("plugin") == "pgoutput",
                existing.firstValue("database") == configuration.database
            else {
                throw ReplicationError.invalidSlot(
                    "slot '\(name)' exists but is not a pgoutput slot of database '\(configuration.database)'"
                )
            }
            return ReplicationSlot(name: name, created: false, position: existing.firstValue("confirmed_flush_lsn").flatMap { LSN($0) })
        }
    }

    /// Drops a slot, waiting for a connection still using it to let go; returns false when there was none.
    /// Dropping a slot throws away every change it still holds: for decommissioning and tests only.
    @discardableResult
    package func dropSlotIfExists(_ name: String) async throws -> Bool {
        guard SQLQuoting.isValidSlotName(name) else { throw ReplicationError.invalidSlot("'\(name)' is not a valid slot name") }
        do {
            _ = try await simpleQuery("DROP_REPLICATION_SLOT \(name) WAIT")
            return true
        } catch ReplicationError.server(let error) where error.sqlState == "42704" {
            return false
        }
    }

    /// Makes sure publication `name` exists and publishes `schema.table`: creates it for that table if missing, and
    /// adds the table to it if it exists without it. Returns whether anything changed.
    @discardableResult
    package func createPublicationIfMissing(_ name: String, schema: String = "public", table: String) async throws -> Bool {
        let publication = SQLQuoting.identifier(name)
        let qualifiedTable = SQLQuoting.identifier(schema) + "." + SQLQuoting.identifier(table)
        let state = try await simpleQuery(
            """
            SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = \(SQLQuoting.literal(name)))::text AS publication,
                EXISTS (SELECT 1 FROM pg_publication_tables WHERE pubname = \(SQLQuoting.literal(name))
                    AND schemaname = \(SQLQuoting.literal(schema)) AND tablename = \(SQLQuoting.literal(table)))::text AS member
            """
        )
        if state.firstValue("member") == "true" { return false }
        if state.firstValue("publication") == "true" {
            _ = try await simpleQuery("ALTER PUBLICATION \(publication) ADD TABLE \(qualifiedTable)")
            return true
        }
        do {
            _ = try await simpleQuery("CREATE PUBLICATION \(publication) FOR TABLE \(qualifiedTable)")
            return true
        } catch ReplicationError.server(let error) where error.sqlState == "42710" {
            // Another process created it between the check and here; it may still lack the table.
            return try await createPublicationIfMissing(name, schema: schema, table: table)
        }
    }
}
