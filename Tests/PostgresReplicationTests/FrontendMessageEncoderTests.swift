import NIOCore
import PostgresReplicationProtocol
import Testing

@Suite struct FrontendMessageEncoderTests {
    static let vectors: [(message: ReplicationFrontendMessage, bytes: [UInt8])] = [
        (
            .startup(user: "kaiten", database: "db", parameters: ["application_name": "app"]),
            hex("0000004B 00030000") + text("user\0kaiten\0database\0db\0replication\0database\0application_name\0app\0\0")
        ),
        (.query("IDENTIFY_SYSTEM"), hex("51 00000014") + text("IDENTIFY_SYSTEM\0")),
        (.password("secret"), hex("70 0000000B") + text("secret\0")),
        (
            .saslInitialResponse(mechanism: "SCRAM-SHA-256", data: text("n,,n=,r=abc")),
            hex("70 00000021") + text("SCRAM-SHA-256\0") + hex("0000000B") + text("n,,n=,r=abc")
        ),
        (.saslResponse(text("c=biws")), hex("70 0000000A") + text("c=biws")),
        (
            .standbyStatusUpdate(
                StandbyStatusUpdate(
                    written: LSN(rawValue: 0x16B_3748),
                    flushed: LSN(rawValue: 0x16B_3700),
                    applied: LSN(rawValue: 0x16B_3700),
                    clientTime: ReplicationTimestamp(rawValue: 0x0102_0304_0506_0708),
                    replyRequested: false
                )
            ),
            hex("64 00000026 72 00000000016B3748 00000000016B3700 00000000016B3700 0102030405060708 00")
        ),
        (.copyDone, hex("63 00000004")),
        (.terminate, hex("58 00000004")),
    ]

    @Test(arguments: vectors.indices)
    func encodesEachMessage(index: Int) {
        var encoder = ReplicationFrontendMessageEncoder()
        encoder.encode(Self.vectors[index].message)
        #expect(Array(encoder.flushBuffer().readableBytesView) == Self.vectors[index].bytes)
    }

    @Test func flushingStartsAFreshBuffer() {
        var encoder = ReplicationFrontendMessageEncoder()
        encoder.copyDone()
        encoder.terminate()
        #expect(Array(encoder.flushBuffer().readableBytesView) == hex("63 00000004 58 00000004"))
        #expect(encoder.flushBuffer().readableBytes == 0)
    }

    @Test func logDescriptionsLeaveSecretsOut() {
        #expect(ReplicationFrontendMessage.password("hunter2").description == "PasswordMessage")
        #expect(!ReplicationFrontendMessage.saslResponse(text("p=proof")).description.contains("proof"))
    }
}
