import NIOCore
import PostgresReplicationProtocol
import Testing

@Suite struct PgOutputMessageTests {
    static let relationBytes =
        hex("52 00004001") + text("public\0outbox_events\0") + hex("64 0003")
        + hex("01") + text("id\0") + hex("00000017 FFFFFFFF")
        + hex("00") + text("name\0") + hex("00000019 FFFFFFFF")
        + hex("00") + text("note\0") + hex("00000019 FFFFFFFF")

    static let vectors: [(bytes: [UInt8], message: PgOutputMessage)] = [
        (
            hex("42 0000000001000200 0000000000000030 000002E6"),
            .begin(PgOutputBegin(finalLSN: LSN(rawValue: 0x100_0200), commitTime: ReplicationTimestamp(rawValue: 48), xid: 742))
        ),
        (
            hex("43 00 0000000001000200 0000000001000230 0000000000000030"),
            .commit(
                PgOutputCommit(
                    commitLSN: LSN(rawValue: 0x100_0200), endLSN: LSN(rawValue: 0x100_0230), commitTime: ReplicationTimestamp(rawValue: 48))
            )
        ),
        (
            relationBytes,
            .relation(
                PgOutputRelation(
                    oid: 0x4001, namespace: "public", name: "outbox_events", replicaIdentity: 0x64,
                    columns: [
                        .init(flags: 1, name: "id", typeOID: 23, typeModifier: -1),
                        .init(flags: 0, name: "name", typeOID: 25, typeModifier: -1),
                        .init(flags: 0, name: "note", typeOID: 25, typeModifier: -1),
                    ]
                )
            )
        ),
        (
            hex("49 00004001 4E 0004 74 00000001") + text("7") + hex("6E 75 62 00000002 0001"),
            .insert(
                PgOutputInsert(
                    relationOID: 0x4001,
                    tuple: PgOutputTupleData(values: [.text(buffer(text("7"))), .null, .unchangedToast, .binary(buffer([0, 1]))])
                )
            )
        ),
        (
            hex("4D 01 0000000001000210") + text("kaiten.heartbeat\0") + hex("00000004") + text("beat"),
            .logicalMessage(
                PgOutputLogicalMessage(transactional: true, lsn: LSN(rawValue: 0x100_0210), prefix: "kaiten.heartbeat", content: buffer(text("beat")))
            )
        ),
        (
            hex("4D 00 0000000001000210") + text("p\0") + hex("00000000"),
            .logicalMessage(PgOutputLogicalMessage(transactional: false, lsn: LSN(rawValue: 0x100_0210), prefix: "p", content: buffer([])))
        ),
        (hex("55 00004001 4E 0001 6E"), .skipped(.update)),
        (hex("44 00004001 4B 0001 6E"), .skipped(.delete)),
        (hex("54 00000001 00 00004001"), .skipped(.truncate)),
        (hex("59 00004002") + text("public\0mood\0"), .skipped(.type)),
        (hex("4F 0000000001000200") + text("origin\0"), .skipped(.origin)),
    ]

    @Test(arguments: vectors.indices)
    func decodesEachMessage(index: Int) throws {
        #expect(try PgOutputMessage.decode(from: buffer(Self.vectors[index].bytes)) == Self.vectors[index].message)
    }

    @Test(arguments: [
        hex("53 000002E6 01"),  // Stream Start: never sent at protocol version 1
        hex("49 00004001 4B 0001 6E"),  // insert without the new-tuple marker
        hex("49 00004001 4E 0001 78"),  // unknown tuple value kind
        hex("49 00004001 4E 0001 74 00000005") + text("abc"),  // text value shorter than its length
        hex("42 0000000001000200 0000000000000030"),  // Begin without its xid
        hex("43 00 0000000001000200 0000000001000230 0000000000000030 00"),  // Commit with a byte too many
    ])
    func rejectsMalformedMessages(bytes: [UInt8]) {
        #expect(throws: ReplicationDecodingError.self) { try PgOutputMessage.decode(from: buffer(bytes)) }
    }
}
