import NIOCore
import NIOTestUtils
import PostgresReplicationProtocol
import Testing

@Suite struct BackendMessageDecoderTests {
    static let vectors: [(bytes: [UInt8], message: ReplicationBackendMessage)] = [
        (hex("52 00000008 00000000"), .authentication(.ok)),
        (hex("52 00000008 00000003"), .authentication(.cleartextPassword)),
        (hex("52 0000000C 00000005 01020304"), .authentication(.md5Password(salt: [1, 2, 3, 4]))),
        (hex("52 00000017 0000000A") + text("SCRAM-SHA-256\0\0"), .authentication(.sasl(mechanisms: ["SCRAM-SHA-256"]))),
        (hex("52 0000000D 0000000B") + text("r=abc"), .authentication(.saslContinue(buffer(text("r=abc"))))),
        (hex("52 0000000D 0000000C") + text("v=xyz"), .authentication(.saslFinal(buffer(text("v=xyz"))))),
        (hex("52 00000008 00000007"), .authentication(.unsupported(code: 7))),
        (hex("53 00000018") + text("server_version\015.8\0"), .parameterStatus(ParameterStatus(name: "server_version", value: "15.8"))),
        (hex("4B 0000000C 00001234 0000ABCD"), .backendKeyData(BackendKeyData(processID: 0x1234, secretKey: 0xABCD))),
        (hex("5A 00000005 49"), .readyForQuery(.idle)),
        (hex("5A 00000005 45"), .readyForQuery(.failedTransaction)),
        (
            hex("54 00000022 0001") + text("slot_name\0") + hex("00000000 0000 00000019 FFFF FFFFFFFF 0000"),
            .rowDescription(
                RowDescription(columns: [
                    .init(name: "slot_name", tableOID: 0, columnNumber: 0, typeOID: 25, typeSize: -1, typeModifier: -1, format: 0)
                ])
            )
        ),
        (hex("44 00000011 0002 00000003") + text("abc") + hex("FFFFFFFF"), .dataRow(DataRow(columns: [buffer(text("abc")), nil]))),
        (hex("43 0000000D") + text("SELECT 1\0"), .commandComplete("SELECT 1")),
        (hex("49 00000004"), .emptyQueryResponse),
        (
            hex("45 00000022") + text("SERROR\0VERROR\0C42710\0Mexists\0\0"),
            .error(ErrorResponse(fields: [0x53: "ERROR", 0x56: "ERROR", 0x43: "42710", 0x4D: "exists"]))
        ),
        (hex("4E 0000000D") + text("SNOTICE\0\0"), .notice(ErrorResponse(fields: [0x53: "NOTICE"]))),
        (hex("57 00000007 00 0000"), .copyBothResponse(CopyBothResponse(format: 0, columnFormats: []))),
        (hex("64 00000008 01020304"), .copyData(buffer([1, 2, 3, 4]))),
        (hex("63 00000004"), .copyDone),
    ]

    @Test func decodesEveryMessageWhateverTheChunking() throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: Self.vectors.map { (buffer($0.bytes), [$0.message]) },
            decoderFactory: { ReplicationBackendMessageDecoder() }
        )
    }

    @Test func decodesSeveralMessagesFromOneBuffer() throws {
        var input = buffer(Self.vectors.flatMap(\.bytes))
        var decoder = ReplicationBackendMessageDecoder()
        var messages: [ReplicationBackendMessage] = []
        while let message = try decoder.decode(buffer: &input) {
            messages.append(message)
        }
        #expect(messages == Self.vectors.map(\.message))
        #expect(input.readableBytes == 0)
    }

    @Test func waitsForTheWholeFrameWithoutConsumingIt() throws {
        var input = buffer(hex("5A 00000005"))
        var decoder = ReplicationBackendMessageDecoder()
        #expect(try decoder.decode(buffer: &input) == nil)
        #expect(input.readableBytes == 5)
        input.writeBytes(hex("49"))
        #expect(try decoder.decode(buffer: &input) == .readyForQuery(.idle))
    }

    @Test(arguments: [
        hex("71 00000004"),  // unknown type 'q'
        hex("5A 00000006 49 00"),  // a byte after the layout
        hex("5A 00000003"),  // a length that does not even cover itself
        hex("5A 00000005 58"),  // unknown transaction status
        hex("53 00000007") + text("abc"),  // string without terminator
        hex("52 0000000A 00000005 0102"),  // MD5 salt cut short
    ])
    func rejectsMalformedFrames(bytes: [UInt8]) {
        var input = buffer(bytes)
        var decoder = ReplicationBackendMessageDecoder()
        #expect(throws: ReplicationDecodingError.self) { try decoder.decode(buffer: &input) }
    }
}
