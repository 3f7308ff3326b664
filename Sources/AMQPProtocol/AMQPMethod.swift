import NIOCore

/// A method frame's payload. AMQP 0-9-1 frames are symmetric (the same frame types travel both ways, and
/// `close`, `ack` and `nack` are sent by either peer), so one enum serves both directions; which side may
/// send a method is the state machines' business.
package enum AMQPMethod: Hashable, Sendable {
    case connectionStart(ConnectionStart)
    case connectionStartOk(ConnectionStartOk)
    case connectionTune(ConnectionTune)
    case connectionTuneOk(ConnectionTune)
    case connectionOpen(virtualHost: String)
    case connectionOpenOk
    case connectionClose(AMQPClose)
    case connectionCloseOk
    /// RabbitMQ extension: the broker stops reading from publishers (a resource alarm).
    case connectionBlocked(reason: String)
    case connectionUnblocked
    case channelOpen
    case channelOpenOk
    case channelFlow(active: Bool)
    case channelFlowOk(active: Bool)
    case channelClose(AMQPClose)
    case channelCloseOk
    case exchangeDeclare(ExchangeDeclare)
    case exchangeDeclareOk
    case queueDeclare(QueueDeclare)
    case queueDeclareOk(QueueDeclareOk)
    case queueBind(QueueBind)
    case queueBindOk
    case basicQos(BasicQos)
    case basicQosOk
    case basicConsume(BasicConsume)
    case basicConsumeOk(consumerTag: String)
    case basicCancel(consumerTag: String, noWait: Bool)
    case basicCancelOk(consumerTag: String)
    case basicPublish(BasicPublish)
    case basicReturn(BasicReturn)
    case basicDeliver(BasicDeliver)
    case basicAck(BasicAcknowledgement)
    case basicReject(deliveryTag: UInt64, requeue: Bool)
    case basicNack(BasicAcknowledgement)
    case confirmSelect(noWait: Bool)
    case confirmSelectOk

    /// Class ids (spec: `<class index=…>`).
    package enum ClassID {
        package static let connection: UInt16 = 10
        package static let channel: UInt16 = 20
        package static let exchange: UInt16 = 40
        package static let queue: UInt16 = 50
        package static let basic: UInt16 = 60
        package static let confirm: UInt16 = 85
    }

    /// `(class-id, method-id)` as on the wire.
    package var id: (classID: UInt16, methodID: UInt16) {
        switch self {
        case .connectionStart: (ClassID.connection, 10)
        case .connectionStartOk: (ClassID.connection, 11)
        case .connectionTune: (ClassID.connection, 30)
        case .connectionTuneOk: (ClassID.connection, 31)
        case .connectionOpen: (ClassID.connection, 40)
        case .connectionOpenOk: (ClassID.connection, 41)
        case .connectionClose: (ClassID.connection, 50)
        case .connectionCloseOk: (ClassID.connection, 51)
        case .connectionBlocked: (ClassID.connection, 60)
        case .connectionUnblocked: (ClassID.connection, 61)
        case .channelOpen: (ClassID.channel, 10)
        case .channelOpenOk: (ClassID.channel, 11)
        case .channelFlow: (ClassID.channel, 20)
        case .channelFlowOk: (ClassID.channel, 21)
        case .channelClose: (ClassID.channel, 40)
        case .channelCloseOk: (ClassID.channel, 41)
        case .exchangeDeclare: (ClassID.exchange, 10)
        case .exchangeDeclareOk: (ClassID.exchange, 11)
        case .queueDeclare: (ClassID.queue, 10)
        case .queueDeclareOk: (ClassID.queue, 11)
        case .queueBind: (ClassID.queue, 20)
        case .queueBindOk: (ClassID.queue, 21)
        case .basicQos: (ClassID.basic, 10)
        case .basicQosOk: (ClassID.basic, 11)
        case .basicConsume: (ClassID.basic, 20)
        case .basicConsumeOk: (ClassID.basic, 21)
        case .basicCancel: (ClassID.basic, 30)
        case .basicCancelOk: (ClassID.basic, 31)
        case .basicPublish: (ClassID.basic, 40)
        case .basicReturn: (ClassID.basic, 50)
        case .basicDeliver: (ClassID.basic, 60)
        case .basicAck: (ClassID.basic, 80)
        case .basicReject: (ClassID.basic, 90)
        case .basicNack: (ClassID.basic, 120)
        case .confirmSelect: (ClassID.confirm, 10)
        case .confirmSelectOk: (ClassID.confirm, 11)
        }
    }

    /// Decodes a whole method-frame payload; bytes left over are an error.
    package static func decode(from buffer: inout ByteBuffer) throws -> AMQPMethod {
        let original = buffer
        do {
            let method = try decodeArguments(
                classID: try buffer.readAMQPInteger("class-id"), methodID: try buffer.readAMQPInteger("method-id"), from: &buffer
            )
            guard buffer.readableBytes == 0 else { throw AMQPDecodingError(.trailingBytes(buffer.readableBytes)) }
            return method
        } catch let error as AMQPDecodingError {
            throw AMQPDecodingError(error.reason, payload: original)
        }
    }

    private static func decodeArguments(classID: UInt16, methodID: UInt16, from buffer: inout ByteBuffer) throws -> AMQPMethod {
        switch (classID, methodID) {
        case (ClassID.connection, 10): return .connectionStart(try .decode(from: &buffer))
        case (ClassID.connection, 11): return .connectionStartOk(try .decode(from: &buffer))
        case (ClassID.connection, 30): return .connectionTune(try .decode(from: &buffer))
        case (ClassID.connection, 31): return .connectionTuneOk(try .decode(from: &buffer))
        case (ClassID.connection, 40):
            let virtualHost = try buffer.readShortString("virtual-host")
            _ = try buffer.readShortString("reserved-1")
            _ = try buffer.readBits(1, "reserved-2")
            return .connectionOpen(virtualHost: virtualHost)
        case (ClassID.connection, 41):
            _ = try buffer.readShortString("reserved-1")
            return .connectionOpenOk
        case (ClassID.connection, 50): return .connectionClose(try .decode(from: &buffer))
        case (ClassID.connection, 51): return .connectionCloseOk
        case (ClassID.connection, 60): return .connectionBlocked(reason: try buffer.readShortString("reason"))
        case (ClassID.connection, 61): return .connectionUnblocked
        case (ClassID.channel, 10):
            _ = try buffer.readShortString("reserved-1")
            return .channelOpen
        case (ClassID.channel, 11):
            _ = try buffer.readLongBytes("reserved-1")
            return .channelOpenOk
        case (ClassID.channel, 20): return .channelFlow(active: try buffer.readBits(1, "active")[0])
        case (ClassID.channel, 21): return .channelFlowOk(active: try buffer.readBits(1, "active")[0])
        case (ClassID.channel, 40): return .channelClose(try .decode(from: &buffer))
        case (ClassID.channel, 41): return .channelCloseOk
        case (ClassID.exchange, 10): return .exchangeDeclare(try .decode(from: &buffer))
        case (ClassID.exchange, 11): return .exchangeDeclareOk
        case (ClassID.queue, 10): return .queueDeclare(try .decode(from: &buffer))
        case (ClassID.queue, 11): return .queueDeclareOk(try .decode(from: &buffer))
        case (ClassID.queue, 20): return .queueBind(try .decode(from: &buffer))
        case (ClassID.queue, 21): return .queueBindOk
        case (ClassID.basic, 10): return .basicQos(try .decode(from: &buffer))
        case (ClassID.basic, 11): return .basicQosOk
        case (ClassID.basic, 20): return .basicConsume(try .decode(from: &buffer))
        case (ClassID.basic, 21): return .basicConsumeOk(consumerTag: try buffer.readShortString("consumer-tag"))
        case (ClassID.basic, 30):
            return .basicCancel(consumerTag: try buffer.readShortString("consumer-tag"), noWait: try buffer.readBits(1, "no-wait")[0])
        case (ClassID.basic, 31): return .basicCancelOk(consumerTag: try buffer.readShortString("consumer-tag"))
        case (ClassID.basic, 40): return .basicPublish(try .decode(from: &buffer))
        case (ClassID.basic, 50): return .basicReturn(try .decode(from: &buffer))
        case (ClassID.basic, 60): return .basicDeliver(try .decode(from: &buffer))
        case (ClassID.basic, 80):
            let tag = try buffer.readAMQPInteger("delivery-tag", as: UInt64.self)
            return .basicAck(BasicAcknowledgement(deliveryTag: tag, multiple: try buffer.readBits(1, "multiple")[0]))
        case (ClassID.basic, 90):
            return .basicReject(deliveryTag: try buffer.readAMQPInteger("delivery-tag"), requeue: try buffer.readBits(1, "requeue")[0])
        case (ClassID.basic, 120):
            let tag = try buffer.readAMQPInteger("delivery-tag", as: UInt64.self)
            let bits = try buffer.readBits(2, "flags")
            return .basicNack(BasicAcknowledgement(deliveryTag: tag, multiple: bits[0], requeue: bits[1]))
        case (ClassID.confirm, 10): return .confirmSelect(noWait: try buffer.readBits(1, "nowait")[0])
        case (ClassID.confirm, 11): return .confirmSelectOk
        default: throw AMQPDecodingError(.unknownMethod(classID: classID, methodID: methodID))
        }
    }

    /// Appends `class-id`, `method-id` and the arguments.
    package func encode(into buffer: inout ByteBuffer) {
        let (classID, methodID) = id
        buffer.writeInteger(classID)
        buffer.writeInteger(methodID)
        switch self {
        case .connectionStart(let start): start.encode(into: &buffer)
        case .connectionStartOk(let startOk): startOk.encode(into: &buffer)
        case .connectionTune(let tune), .connectionTuneOk(let tune): tune.encode(into: &buffer)
        case .connectionOpen(let virtualHost):
            buffer.writeShortString(virtualHost)
            buffer.writeShortString("")
            buffer.writeBits(false)
        case .connectionOpenOk: buffer.writeShortString("")
        case .connectionClose(let close), .channelClose(let close): close.encode(into: &buffer)
        case .connectionBlocked(let reason): buffer.writeShortString(reason)
        case .channelOpen: buffer.writeShortString("")
        case .channelOpenOk: buffer.writeInteger(UInt32(0))
        case .channelFlow(let active), .channelFlowOk(let active): buffer.writeBits(active)
        case .exchangeDeclare(let declare): declare.encode(into: &buffer)
        case .queueDeclare(let declare): declare.encode(into: &buffer)
        case .queueDeclareOk(let declareOk): declareOk.encode(into: &buffer)
        case .queueBind(let bind): bind.encode(into: &buffer)
        case .basicQos(let qos): qos.encode(into: &buffer)
        case .basicConsume(let consume): consume.encode(into: &buffer)
        case .basicConsumeOk(let consumerTag), .basicCancelOk(let consumerTag): buffer.writeShortString(consumerTag)
        case .basicCancel(let consumerTag, let noWait):
            buffer.writeShortString(consumerTag)
            buffer.writeBits(noWait)
        case .basicPublish(let publish): publish.encode(into: &buffer)
        case .basicReturn(let basicReturn): basicReturn.encode(into: &buffer)
        case .basicDeliver(let deliver): deliver.encode(into: &buffer)
        case .basicAck(let ack):
            buffer.writeInteger(ack.deliveryTag)
            buffer.writeBits(ack.multiple)
        case .basicReject(let deliveryTag, let requeue):
            buffer.writeInteger(deliveryTag)
            buffer.writeBits(requeue)
        case .basicNack(let nack):
            buffer.writeInteger(nack.deliveryTag)
            buffer.writeBits(nack.multiple, nack.requeue)
        case .confirmSelect(let noWait): buffer.writeBits(noWait)
        case .connectionCloseOk, .connectionUnblocked, .channelCloseOk, .exchangeDeclareOk, .queueBindOk,
            .basicQosOk, .confirmSelectOk:
            break
        }
    }
}
