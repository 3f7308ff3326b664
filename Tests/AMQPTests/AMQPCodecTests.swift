import AMQPProtocol
import NIOCore
import NIOTestUtils
import Testing

@Suite("AMQP codec")
struct AMQPCodecTests {
    private func encode(_ frames: [AMQPFrame]) -> ByteBuffer {
        var encoder = AMQPFrameEncoder()
        for frame in frames { encoder.frame(frame) }
        return encoder.flush()
    }

    private func decodeAll(_ bytes: ByteBuffer) throws -> [AMQPFrame] {
        var decoder = AMQPFrameDecoder()
        var buffer = bytes
        var frames: [AMQPFrame] = []
        while let frame = try decoder.decode(buffer: &buffer) { frames.append(frame) }
        #expect(buffer.readableBytes == 0)
        return frames
    }

    static let properties = AMQPProperties(
        contentType: "application/json", contentEncoding: "utf-8",
        headers: [
            "event-id": "4d47e190-0f6f-4e2a-9b68-0a1f5d0c7c11", "attempt": 3, "retry": true, "ratio": .double(0.5),
            "nested": .table(["list": .array([.int32(-1), .uint8(7), .void, .timestamp(1_700_000_000)])]),
            "raw": .bytes(ByteBuffer(bytes: [0, 1, 2, 0xCE])), "small": .int16(-2), "price": .decimal(scale: 2, value: 1999),
        ],
        deliveryMode: AMQPProperties.persistentDeliveryMode, priority: 5, correlationID: "c-1", replyTo: "amq.rabbitmq.reply-to",
        expiration: "60000", messageID: "msg-1", timestamp: 1_767_225_600, type: "customer.created", userID: "guest", appID: "kaiten"
    )

    static let methods: [AMQPMethod] = [
        .connectionStart(
            ConnectionStart(
                serverProperties: ["product": "RabbitMQ", "capabilities": .table(["publisher_confirms": true])], mechanisms: "AMQPLAIN PLAIN",
                locales: "en_US")),
        .connectionStartOk(.plain(username: "guest", password: "guest", clientProperties: ["product": "Kaiten"])),
        .connectionTune(ConnectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 60)),
        .connectionTuneOk(ConnectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 30)),
        .connectionOpen(virtualHost: "/"), .connectionOpenOk,
        .connectionClose(AMQPClose(replyCode: 320, replyText: "CONNECTION_FORCED - broker forced connection closure", classID: 0, methodID: 0)),
        .connectionCloseOk, .connectionBlocked(reason: "low on memory"), .connectionUnblocked,
        .channelOpen, .channelOpenOk, .channelFlow(active: false), .channelFlowOk(active: true),
        .channelClose(AMQPClose(replyCode: 404, replyText: "NOT_FOUND - no queue 'q'", classID: 50, methodID: 10)), .channelCloseOk,
        .exchangeDeclare(
            ExchangeDeclare(exchange: "kaiten.events", type: "fanout", durable: true, internal: true, arguments: ["alternate-exchange": "ae"])),
        .exchangeDeclareOk,
        .queueDeclare(
            QueueDeclare(
                queue: "kaiten.webhooks", durable: true, exclusive: true,
                arguments: ["x-dead-letter-exchange": "kaiten.dlx", "x-queue-type": "quorum"])),
        .queueDeclareOk(QueueDeclareOk(queue: "amq.gen-1", messageCount: 12, consumerCount: 1)),
        .queueBind(QueueBind(queue: "q", exchange: "kaiten.events", routingKey: "customer.#", noWait: true)), .queueBindOk,
        .basicQos(BasicQos(prefetchCount: 200, global: true)), .basicQosOk,
        .basicConsume(BasicConsume(queue: "q", consumerTag: "c1", noAck: true, exclusive: true)), .basicConsumeOk(consumerTag: "c1"),
        .basicCancel(consumerTag: "c1", noWait: true), .basicCancelOk(consumerTag: "c1"),
        .basicPublish(BasicPublish(exchange: "kaiten.events", routingKey: "k", mandatory: true)),
        .basicReturn(BasicReturn(replyCode: 312, replyText: "NO_ROUTE", exchange: "x", routingKey: "k")),
        .basicDeliver(BasicDeliver(consumerTag: "c1", deliveryTag: 1 << 40, redelivered: true, exchange: "x", routingKey: "k")),
        .basicAck(BasicAcknowledgement(deliveryTag: 9, multiple: true)), .basicReject(deliveryTag: 3, requeue: true),
        .basicNack(BasicAcknowledgement(deliveryTag: 4, multiple: false, requeue: true)),
        .confirmSelect(noWait: false), .confirmSelectOk,
    ]

    @Test("every method survives an encode/decode round trip", arguments: methods)
    func methodRoundTrip(_ method: AMQPMethod) throws {
        let frames = try decodeAll(encode([.method(channel: 3, method)]))
        #expect(frames == [.method(channel: 3, method)])
    }

    @Test("content header with every property and a nested table round-trips")
    func propertiesRoundTrip() throws {
        let header = AMQPContentHeader(bodySize: 42, properties: Self.properties)
        #expect(try decodeAll(encode([.header(channel: 1, header)])) == [.header(channel: 1, header)])
        let empty = AMQPContentHeader(bodySize: 0, properties: AMQPProperties())
        #expect(try decodeAll(encode([.header(channel: 1, empty)])) == [.header(channel: 1, empty)])
    }

    @Test("frame layout matches the spec byte for byte")
    func wireLayout() {
        var encoder = AMQPFrameEncoder()
        encoder.protocolHeader()
        encoder.frame(.heartbeat)
        encoder.method(.basicAck(BasicAcknowledgement(deliveryTag: 5, multiple: true)), channel: 2)
        let bytes = Array(encoder.flush().readableBytesView)
        #expect(
            bytes == [
                0x41, 0x4D, 0x51, 0x50, 0, 0, 9, 1,  // "AMQP" 0 0 9 1
                8, 0, 0, 0, 0, 0, 0, 0xCE,  // heartbeat: type 8, channel 0, size 0, frame-end
                1, 0, 2, 0, 0, 0, 13, 0, 60, 0, 80, 0, 0, 0, 0, 0, 0, 0, 5, 1, 0xCE,  // basic.ack(5, multiple)
            ])
    }

    @Test("a publish is cut into body frames that fit frame-max")
    func contentSplitting() throws {
        var encoder = AMQPFrameEncoder()
        let body = ByteBuffer(bytes: (0..<10_000).map { UInt8($0 % 251) })
        let publish = AMQPMethod.basicPublish(BasicPublish(exchange: "x", routingKey: "k"))
        encoder.content(publish, channel: 1, properties: Self.properties, body: body, frameMax: 4096)
        let frames = try decodeAll(encoder.flush())
        #expect(frames.count == 5)
        #expect(frames[0] == .method(channel: 1, publish))
        #expect(frames[1] == .header(channel: 1, AMQPContentHeader(bodySize: 10_000, properties: Self.properties)))
        var joined = ByteBuffer()
        for case .body(1, var chunk) in frames.dropFirst(2) {
            #expect(chunk.readableBytes <= 4096 - 8)
            joined.writeBuffer(&chunk)
        }
        #expect(joined == body)
    }

    @Test("the decoder never half-consumes: drip-fed, batched and split frames decode the same")
    func decoderVerifier() throws {
        let deliver = AMQPMethod.basicDeliver(
            BasicDeliver(consumerTag: "c", deliveryTag: 1, redelivered: false, exchange: "kaiten.events", routingKey: ""))
        let header = AMQPContentHeader(bodySize: 5, properties: Self.properties)
        let pairs: [(ByteBuffer, [AMQPFrame])] = [
            (encode([.heartbeat]), [.heartbeat]),
            (
                encode([.method(channel: 1, deliver), .header(channel: 1, header), .body(channel: 1, ByteBuffer(string: "hello"))]),
                [.method(channel: 1, deliver), .header(channel: 1, header), .body(channel: 1, ByteBuffer(string: "hello"))]
            ),
            (
                encode([.method(channel: 0, .connectionTune(ConnectionTune(channelMax: 0, frameMax: 0, heartbeat: 0)))]),
                [.method(channel: 0, .connectionTune(ConnectionTune(channelMax: 0, frameMax: 0, heartbeat: 0)))]
            ),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { AMQPFrameDecoder() }
    }

    @Test("malformed input is refused with a decoding error")
    func malformed() throws {
        var missingEnd = encode([.heartbeat])
        missingEnd.setInteger(UInt8(0), at: 7)
        #expect(throws: AMQPDecodingError.self) { try decodeAll(missingEnd) }

        var protocolHeader = ByteBuffer(bytes: AMQPFrame.protocolHeader)
        var decoder = AMQPFrameDecoder()
        #expect(throws: AMQPDecodingError(.protocolHeaderReceived)) { try decoder.decode(buffer: &protocolHeader) }

        var huge = ByteBuffer(bytes: [1, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: AMQPDecodingError.self) { try decoder.decode(buffer: &huge) }

        var unknownMethod = ByteBuffer()
        unknownMethod.writeMultipleIntegers(UInt8(1), UInt16(1), UInt32(4), UInt16(60), UInt16(999), UInt8(0xCE))
        #expect(throws: AMQPDecodingError.self) { try decodeAll(unknownMethod) }

        var trailing = ByteBuffer()
        trailing.writeMultipleIntegers(UInt8(1), UInt16(1), UInt32(5), UInt16(60), UInt16(11), UInt8(0), UInt8(0xCE))
        #expect(throws: AMQPDecodingError.self) { try decodeAll(trailing) }
    }

    @Test("an incomplete frame is left untouched until the rest arrives")
    func incompleteFrame() throws {
        let full = encode([.method(channel: 1, .basicQosOk)])
        var partial = full.getSlice(at: 0, length: full.readableBytes - 1)!
        var decoder = AMQPFrameDecoder()
        #expect(try decoder.decode(buffer: &partial) == nil)
        #expect(partial.readerIndex == 0)
    }
}
