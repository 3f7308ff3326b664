import NIOCore
import PostgresReplicationProtocol
import Testing

@testable import PostgresReplication

@Suite struct ReplicationStateMachineTests {
    static let now = ReplicationTimestamp(rawValue: 1_000)

    // MARK: - Start-up and authentication

    @Test func trustStartUp() {
        var machine = ReplicationStateMachine(username: "kaiten", password: nil, clientNonce: "nonce")
        #expect(
            machine.connect(database: "db", parameters: ["application_name": "t"])
                == .send(.startup(user: "kaiten", database: "db", parameters: ["application_name": "t"])))
        #expect(machine.messageReceived(.authentication(.ok), now: Self.now) == .none)
        #expect(machine.messageReceived(.parameterStatus(ParameterStatus(name: "server_version", value: "15.8")), now: Self.now) == .none)
        #expect(machine.messageReceived(.backendKeyData(BackendKeyData(processID: 1, secretKey: 2)), now: Self.now) == .none)
        #expect(machine.messageReceived(.readyForQuery(.idle), now: Self.now) == .connected)
        #expect(machine.queryRequested("IDENTIFY_SYSTEM") == .send(.query("IDENTIFY_SYSTEM")))
    }

    @Test func cleartextPassword() {
        var machine = Self.authenticating(password: "secret")
        #expect(machine.messageReceived(.authentication(.cleartextPassword), now: Self.now) == .send(.password("secret")))
        #expect(machine.messageReceived(.authentication(.ok), now: Self.now) == .none)
    }

    @Test func md5Password() {
        var machine = ReplicationStateMachine(username: "user", password: "pencil", clientNonce: "nonce")
        _ = machine.connect(database: "db", parameters: [:])
        #expect(
            machine.messageReceived(.authentication(.md5Password(salt: [1, 2, 3, 4])), now: Self.now)
                == .send(.password("md54376eb6913b38f9aaff38dc7cf19ca76"))
        )
    }

    @Test func scramExchange() throws {
        var machine = Self.authenticating(password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(
            machine.messageReceived(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"])), now: Self.now)
                == .send(.saslInitialResponse(mechanism: "SCRAM-SHA-256", data: text("n,,n=,r=rOprNGfwEbeRWgbNEkqO")))
        )
        let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        guard
            case .send(.saslResponse(let clientFinal)) = machine.messageReceived(
                .authentication(.saslContinue(buffer(text(serverFirst)))), now: Self.now)
        else {
            Issue.record("expected a SASLResponse")
            return
        }
        #expect(String(decoding: clientFinal, as: UTF8.self).hasPrefix("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p="))
        #expect(
            machine.messageReceived(.authentication(.saslFinal(buffer(text("v=bm90IHRoZSBzaWduYXR1cmU=")))), now: Self.now)
                == .fail(.authenticationFailed("the server's signature does not match"))
        )
    }

    @Test func passwordRequestWithoutAPasswordFails() {
        var machine = Self.authenticating(password: nil)
        #expect(machine.messageReceived(.authentication(.md5Password(salt: [1, 2, 3, 4])), now: Self.now) == .fail(.passwordRequired))
    }

    @Test func unsupportedMethodsFail() {
        var machine = Self.authenticating(password: "pw")
        #expect(
            machine.messageReceived(.authentication(.unsupported(code: 7)), now: Self.now)
                == .fail(.unsupportedAuthentication("authentication request 7")))
        var sasl = Self.authenticating(password: "pw")
        #expect(
            sasl.messageReceived(.authentication(.sasl(mechanisms: ["OAUTHBEARER"])), now: Self.now)
                == .fail(.unsupportedAuthentication("SASL OAUTHBEARER"))
        )
    }

    @Test func rejectedLoginSurfacesTheServerError() {
        var machine = Self.authenticating(password: "wrong")
        _ = machine.messageReceived(.authentication(.cleartextPassword), now: Self.now)
        let error = ErrorResponse(fields: [0x56: "FATAL", 0x43: "28P01", 0x4D: "password authentication failed for user \"u\""])
        #expect(machine.messageReceived(.error(error), now: Self.now) == .fail(.server(PostgresServerError(error))))
        #expect(machine.queryRequested("SELECT 1") == .reject(.invalidState("a query needs an idle connection")))
    }

    // MARK: - Simple queries

    @Test func simpleQueryCollectsItsResult() {
        var machine = Self.idle()
        #expect(machine.queryRequested("IDENTIFY_SYSTEM") == .send(.query("IDENTIFY_SYSTEM")))
        let columns = ["systemid", "timeline"].map {
            RowDescription.Column(name: $0, tableOID: 0, columnNumber: 0, typeOID: 25, typeSize: -1, typeModifier: -1, format: 0)
        }
        #expect(machine.messageReceived(.rowDescription(RowDescription(columns: columns)), now: Self.now) == .none)
        #expect(machine.messageReceived(.dataRow(DataRow(columns: [buffer(text("7312")), nil])), now: Self.now) == .none)
        #expect(machine.messageReceived(.commandComplete("IDENTIFY_SYSTEM"), now: Self.now) == .none)
        #expect(machine.startReplicationRequested("START_REPLICATION") == .reject(.invalidState("replication can only start on an idle connection")))
        #expect(
            machine.messageReceived(.readyForQuery(.idle), now: Self.now)
                == .queryCompleted(SimpleQueryResult(columns: ["systemid", "timeline"], rows: [["7312", nil]], commandTag: "IDENTIFY_SYSTEM"))
        )
    }

    @Test func failedQueryLeavesTheConnectionIdle() {
        var machine = Self.idle()
        _ = machine.queryRequested("CREATE_REPLICATION_SLOT s LOGICAL pgoutput")
        let error = ErrorResponse(fields: [0x56: "ERROR", 0x43: "42710", 0x4D: "replication slot \"s\" already exists"])
        #expect(machine.messageReceived(.error(error), now: Self.now) == .none)
        #expect(machine.messageReceived(.readyForQuery(.idle), now: Self.now) == .commandFailed(PostgresServerError(error)))
        #expect(machine.queryRequested("SELECT 1") == .send(.query("SELECT 1")))
    }

    @Test func replicationThatCannotStartReportsWhy() {
        var machine = Self.idle()
        _ = machine.startReplicationRequested("START_REPLICATION SLOT missing LOGICAL 0/0")
        let error = ErrorResponse(fields: [0x56: "ERROR", 0x43: "42704", 0x4D: "replication slot \"missing\" does not exist"])
        #expect(machine.messageReceived(.error(error), now: Self.now) == .none)
        #expect(machine.messageReceived(.readyForQuery(.idle), now: Self.now) == .commandFailed(PostgresServerError(error)))
    }

    // MARK: - Streaming

    @Test func deliversACommittedTransactionWithItsRows() {
        var machine = Self.streaming()
        #expect(machine.messageReceived(Self.xLogData(0x100, PgOutputMessageTests.relationBytes), now: Self.now) == .none)
        #expect(machine.messageReceived(Self.xLogData(0x100, Self.begin(final: 0x200, xid: 9)), now: Self.now) == .none)
        #expect(machine.messageReceived(Self.xLogData(0x110, Self.insert(id: "1", name: "one")), now: Self.now) == .none)
        #expect(machine.messageReceived(Self.xLogData(0x120, Self.insert(id: "2", name: nil)), now: Self.now) == .none)
        guard
            case .deliver(.transaction(let transaction)) = machine.messageReceived(
                Self.xLogData(0x230, Self.commit(0x200, end: 0x230)), now: Self.now)
        else {
            Issue.record("expected the transaction")
            return
        }
        #expect(transaction.xid == 9)
        #expect(transaction.commitLSN == LSN(rawValue: 0x200))
        #expect(transaction.endLSN == LSN(rawValue: 0x230))
        #expect(transaction.position == LSN(rawValue: 0x230))
        #expect(transaction.inserts.map { $0["id"] } == [.text("1"), .text("2")])
        #expect(transaction.inserts.map { $0["name"] } == [.text("one"), .null])
        #expect(transaction.inserts[0]["note"] == .unchangedToast)
        #expect(transaction.inserts[0]["missing"] == nil)
        #expect(transaction.inserts[0].relation.schema == "public" && transaction.inserts[0].relation.name == "outbox_events")
        #expect(machine.unconfirmedCount == 1)
    }

    @Test func keepaliveAsksForAnImmediateReplyThatFlushesWhatWasConfirmedAndNothingUnconfirmed() {
        var machine = Self.streaming()
        #expect(machine.messageReceived(Self.keepalive(0x500, reply: false), now: Self.now) == .none)
        // Nothing delivered awaits confirmation: the slot may move to where the server's decoding is.
        #expect(machine.messageReceived(Self.keepalive(0x600, reply: true), now: Self.now) == .send(Self.status(written: 0x600, flushed: 0x600)))
        _ = Self.deliver(&machine, end: 0x700)
        #expect(machine.statusTimerFired(now: Self.now) == Self.status(written: 0x700 - 0x30, flushed: 0x600))
        // An unconfirmed delivery holds the slot, whatever the server says it has decoded.
        #expect(machine.messageReceived(Self.keepalive(0x750, reply: true), now: Self.now) == .send(Self.status(written: 0x750, flushed: 0x600)))
        #expect(machine.confirmed(LSN(rawValue: 0x700), upTo: false, now: Self.now) == Self.status(written: 0x750, flushed: 0x700))
        #expect(machine.messageReceived(Self.keepalive(0x800, reply: true), now: Self.now) == .send(Self.status(written: 0x800, flushed: 0x800)))
        #expect(machine.unconfirmedCount == 0)
    }

    @Test func aKeepaliveInTheMiddleOfATransactionFlushesNothingOfIt() {
        var machine = Self.streaming()
        _ = machine.messageReceived(Self.xLogData(0x900, PgOutputMessageTests.relationBytes), now: Self.now)
        _ = machine.messageReceived(Self.xLogData(0x900, Self.begin(final: 0x900, xid: 2)), now: Self.now)
        #expect(machine.messageReceived(Self.keepalive(0xA00, reply: true), now: Self.now) == .send(Self.status(written: 0xA00, flushed: 0)))
    }

    @Test func outOfOrderConfirmationsNeverPassAnUnconfirmedTransaction() {
        var machine = Self.streaming()
        let first = Self.deliver(&machine, end: 0x1000)
        let second = Self.deliver(&machine, end: 0x2000)
        let third = Self.deliver(&machine, end: 0x3000)
        #expect(machine.confirmed(third, upTo: false, now: Self.now) == nil)
        #expect(machine.confirmed(second, upTo: false, now: Self.now) == nil)
        #expect(machine.statusTimerFired(now: Self.now).flatMap(Self.flushed) == .zero)
        #expect(machine.confirmed(first, upTo: false, now: Self.now).flatMap(Self.flushed) == third)
        #expect(machine.unconfirmedCount == 0)
        #expect(machine.confirmed(LSN(rawValue: 0x4000), upTo: false, now: Self.now) == nil)
    }

    @Test func confirmingUpToAPositionCoversEverythingBeforeIt() {
        var machine = Self.streaming()
        _ = Self.deliver(&machine, end: 0x1000)
        let second = Self.deliver(&machine, end: 0x2000)
        _ = Self.deliver(&machine, end: 0x3000)
        #expect(machine.confirmed(LSN(rawValue: 0x2FFF), upTo: true, now: Self.now).flatMap(Self.flushed) == second)
        #expect(machine.unconfirmedCount == 1)
    }

    @Test func logicalMessagesInsideAndOutsideTransactions() {
        var machine = Self.streaming()
        guard
            case .deliver(.message(let heartbeat)) = machine.messageReceived(
                Self.xLogData(0x100, Self.message(transactional: false, lsn: 0x100, "beat")), now: Self.now)
        else {
            Issue.record("expected the message on its own")
            return
        }
        #expect(
            heartbeat == LogicalMessage(transactional: false, lsn: LSN(rawValue: 0x100), prefix: "kaiten.heartbeat", content: buffer(text("beat"))))
        #expect(heartbeat.position == LSN(rawValue: 0x101))
        _ = machine.messageReceived(Self.xLogData(0x200, Self.begin(final: 0x300, xid: 3)), now: Self.now)
        #expect(machine.messageReceived(Self.xLogData(0x210, Self.message(transactional: true, lsn: 0x210, "inside")), now: Self.now) == .none)
        guard
            case .deliver(.transaction(let transaction)) = machine.messageReceived(
                Self.xLogData(0x330, Self.commit(0x300, end: 0x330)), now: Self.now)
        else {
            Issue.record("expected the transaction")
            return
        }
        #expect(
            transaction.changes == [
                .message(LogicalMessage(transactional: true, lsn: LSN(rawValue: 0x210), prefix: "kaiten.heartbeat", content: buffer(text("inside"))))
            ])
        #expect(machine.confirmed(transaction.position, upTo: false, now: Self.now) == nil)
        #expect(machine.confirmed(heartbeat.position, upTo: false, now: Self.now).flatMap(Self.flushed) == transaction.position)
    }

    @Test func skippedChangesLeaveNothingToDeliver() {
        var machine = Self.streaming()
        _ = machine.messageReceived(Self.xLogData(0x100, PgOutputMessageTests.relationBytes), now: Self.now)
        _ = machine.messageReceived(Self.xLogData(0x100, Self.begin(final: 0x200, xid: 4)), now: Self.now)
        for skipped in [
            hex("55 00004001 4E 0001 6E"), hex("44 00004001 4B 0001 6E"), hex("54 00000001 00 00004001"), hex("4F 0000000001000200") + text("o\0"),
        ] {
            #expect(machine.messageReceived(Self.xLogData(0x110, skipped), now: Self.now) == .none)
        }
        #expect(machine.messageReceived(Self.xLogData(0x230, Self.commit(0x200, end: 0x230)), now: Self.now) == .none)
        #expect(machine.unconfirmedCount == 0)
    }

    @Test func anInsertForAnUnknownRelationIsAProtocolViolation() {
        var machine = Self.streaming()
        _ = machine.messageReceived(Self.xLogData(0x100, Self.begin(final: 0x200, xid: 4)), now: Self.now)
        #expect(
            machine.messageReceived(Self.xLogData(0x110, Self.insert(id: "1", name: "x")), now: Self.now)
                == .fail(.protocolViolation("Insert into relation 16385 before its Relation message"))
        )
        #expect(machine.statusTimerFired(now: Self.now) == nil)
    }

    @Test func undecodableDataFailsTheStream() {
        var machine = Self.streaming()
        guard case .fail(.decoding(let error)) = machine.messageReceived(Self.xLogData(0x100, hex("53 00000001 01")), now: Self.now) else {
            Issue.record("expected a decoding failure")
            return
        }
        #expect(error.messageID == "S")
    }

    @Test func serverErrorWhileStreamingEndsTheConnection() {
        var machine = Self.streaming()
        let error = ErrorResponse(fields: [0x56: "FATAL", 0x43: "57P01", 0x4D: "terminating connection due to administrator command"])
        #expect(machine.messageReceived(.error(error), now: Self.now) == .fail(.server(PostgresServerError(error))))
        #expect(!machine.canDeliver)
    }

    @Test func stoppingDrainsTheStreamUntilTheServerIsReady() {
        var machine = Self.streaming()
        #expect(machine.stopReplicationRequested() == .copyDone)
        #expect(machine.stopReplicationRequested() == nil)
        #expect(machine.statusTimerFired(now: Self.now) == nil)
        #expect(machine.canDeliver)
        #expect(machine.messageReceived(Self.xLogData(0x100, Self.begin(final: 0x200, xid: 4)), now: Self.now) == .none)
        #expect(machine.messageReceived(.copyDone, now: Self.now) == .none)
        #expect(machine.messageReceived(.commandComplete("START_STREAMING"), now: Self.now) == .none)
        #expect(machine.messageReceived(.readyForQuery(.idle), now: Self.now) == .replicationStopped)
        #expect(!machine.canDeliver)
        #expect(machine.terminateRequested() == .terminate)
        #expect(machine.terminateRequested() == nil)
    }

    @Test func serverEndingTheStreamIsAnsweredWithCopyDone() {
        var machine = Self.streaming()
        #expect(machine.messageReceived(.copyDone, now: Self.now) == .send(.copyDone))
        #expect(machine.messageReceived(.readyForQuery(.idle), now: Self.now) == .replicationStopped)
    }

    // MARK: - Fixtures

    static func authenticating(password: String?, nonce: String = "nonce") -> ReplicationStateMachine {
        var machine = ReplicationStateMachine(username: "kaiten", password: password, clientNonce: nonce)
        _ = machine.connect(database: "db", parameters: [:])
        return machine
    }

    static func idle() -> ReplicationStateMachine {
        var machine = authenticating(password: nil)
        _ = machine.messageReceived(.authentication(.ok), now: now)
        _ = machine.messageReceived(.readyForQuery(.idle), now: now)
        return machine
    }

    static func streaming() -> ReplicationStateMachine {
        var machine = idle()
        _ = machine.startReplicationRequested("START_REPLICATION SLOT s LOGICAL 0/0 (proto_version '1', publication_names 'p')")
        _ = machine.messageReceived(.copyBothResponse(CopyBothResponse(format: 0, columnFormats: [])), now: now)
        return machine
    }

    /// Streams a one-row transaction whose commit ends at `end`; returns its position.
    static func deliver(_ machine: inout ReplicationStateMachine, end: UInt64) -> LSN {
        _ = machine.messageReceived(xLogData(end - 0x30, PgOutputMessageTests.relationBytes), now: now)
        _ = machine.messageReceived(xLogData(end - 0x30, begin(final: end - 0x30, xid: 1)), now: now)
        _ = machine.messageReceived(xLogData(end - 0x30, insert(id: "1", name: "x")), now: now)
        guard case .deliver(let event) = machine.messageReceived(xLogData(end - 0x30, commit(end - 0x30, end: end)), now: now) else {
            Issue.record("expected a delivery")
            return .zero
        }
        return event.position
    }

    static func xLogData(_ walStart: UInt64, _ pgOutput: [UInt8]) -> ReplicationBackendMessage {
        var data = ByteBuffer()
        data.writeMultipleIntegers(UInt8(0x77), walStart, walStart + 0x1000, Int64(0))
        data.writeBytes(pgOutput)
        return .copyData(data)
    }

    static func keepalive(_ walEnd: UInt64, reply: Bool) -> ReplicationBackendMessage {
        var data = ByteBuffer()
        data.writeMultipleIntegers(UInt8(0x6B), walEnd, Int64(0), UInt8(reply ? 1 : 0))
        return .copyData(data)
    }

    static func begin(final: UInt64, xid: UInt32) -> [UInt8] {
        var data = ByteBuffer()
        data.writeMultipleIntegers(UInt8(0x42), final, Int64(0), xid)
        return Array(data.readableBytesView)
    }

    static func commit(_ commit: UInt64, end: UInt64) -> [UInt8] {
        var data = ByteBuffer()
        data.writeMultipleIntegers(UInt8(0x43), UInt8(0), commit, end, Int64(0))
        return Array(data.readableBytesView)
    }

    /// An insert into relation 0x4001 (id, name, note) with note left as unchanged TOAST.
    static func insert(id: String, name: String?) -> [UInt8] {
        var data = ByteBuffer()
        data.writeMultipleIntegers(UInt8(0x49), UInt32(0x4001), UInt8(0x4E), Int16(3))
        for value in [id, name] {
            if let value {
                data.writeInteger(UInt8(0x74))
                data.writeInteger(Int32(value.utf8.count))
                data.writeString(value)
            } else {
                data.writeInteger(UInt8(0x6E))
            }
        }
        data.writeInteger(UInt8(0x75))
        return Array(data.readableBytesView)
    }

    static func message(transactional: Bool, lsn: UInt64, _ content: String) -> [UInt8] {
        hex("4D") + [transactional ? 1 : 0] + hex(String(lsn, radix: 16).leftPadded(to: 16)) + text("kaiten.heartbeat\0")
            + hex(String(content.utf8.count, radix: 16).leftPadded(to: 8)) + text(content)
    }

    static func status(written: UInt64, flushed: UInt64) -> ReplicationFrontendMessage {
        .standbyStatusUpdate(
            StandbyStatusUpdate(
                written: LSN(rawValue: written), flushed: LSN(rawValue: flushed), applied: LSN(rawValue: flushed), clientTime: now,
                replyRequested: false
            )
        )
    }

    static func flushed(_ message: ReplicationFrontendMessage) -> LSN? {
        guard case .standbyStatusUpdate(let update) = message else { return nil }
        return update.flushed
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
