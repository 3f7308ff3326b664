import NIOCore
import PostgresReplicationProtocol
import Testing

@Suite struct StreamingMessageTests {
    @Test func decodesXLogData() throws {
        let message = try ReplicationCopyMessage.decode(
            from: buffer(hex("77 0000000001000000 0000000001000100 0000000000000010 424344"))
        )
        #expect(
            message
                == .xLogData(
                    XLogData(
                        walStart: LSN(rawValue: 0x100_0000), serverWALEnd: LSN(rawValue: 0x100_0100),
                        serverTime: ReplicationTimestamp(rawValue: 16), data: buffer(text("BCD"))
                    )
                )
        )
    }

    @Test func decodesPrimaryKeepalive() throws {
        let message = try ReplicationCopyMessage.decode(from: buffer(hex("6B 0000000001000100 0000000000000020 01")))
        #expect(
            message
                == .primaryKeepalive(
                    PrimaryKeepalive(serverWALEnd: LSN(rawValue: 0x100_0100), serverTime: ReplicationTimestamp(rawValue: 32), replyRequested: true)
                )
        )
    }

    @Test(arguments: [
        hex("6B 0000000001000100 0000000000000020"),  // keepalive without its reply flag
        hex("6B 0000000001000100 0000000000000020 01 00"),  // keepalive with a byte too many
        hex("77 0000000001000000 0000000001000100"),  // XLogData header cut short
        hex("78 00"),  // unknown message 'x'
        [],
    ])
    func rejectsMalformedCopyData(bytes: [UInt8]) {
        #expect(throws: ReplicationDecodingError.self) { try ReplicationCopyMessage.decode(from: buffer(bytes)) }
    }

    @Test func lsnTextRoundTrips() {
        #expect(LSN("16/B374D848") == LSN(rawValue: 0x16_B374_D848))
        #expect(LSN(rawValue: 0x16_B374_D848).description == "16/B374D848")
        #expect(LSN("0/0") == .zero)
        #expect(LSN("16B374D848") == nil)
        #expect(LSN("G/0") == nil)
        #expect(LSN("123456789/0") == nil)
    }

    @Test func timestampsCountFromTheYear2000() {
        #expect(ReplicationTimestamp(secondsSinceUnixEpoch: 946_684_800).rawValue == 0)
        #expect(ReplicationTimestamp(rawValue: 1_500_000).secondsSinceUnixEpoch == 946_684_801.5)
    }
}
