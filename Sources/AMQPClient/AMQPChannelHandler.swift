import AMQPProtocol
import Logging
import NIOCore

/// A delivery as it leaves the event loop, before the façade attaches the channel it must be acked on.
struct RawDelivery: Sendable {
    var deliver: BasicDeliver
    var message: AMQPMessage
}

typealias ConsumerSink = AsyncThrowingStream<RawDelivery, any Error>.Continuation

/// What the async façade asks the handler to do. Each carries the promise its caller awaits.
enum AMQPCommand: Sendable {
    case openChannel(EventLoopPromise<UInt16>)
    case request(channel: UInt16, AMQPMethod, EventLoopPromise<AMQPMethod>)
    case consume(channel: UInt16, BasicConsume, ConsumerSink, EventLoopPromise<AMQPMethod>)
    case publish(channel: UInt16, BasicPublish, AMQPProperties, ByteBuffer, EventLoopPromise<Void>)
    case acknowledge(channel: UInt16, AMQPMethod, EventLoopPromise<Void>)
    case closeChannel(channel: UInt16, EventLoopPromise<AMQPMethod>)
    case closeConnection(EventLoopPromise<Void>)

    /// Settles the caller's promise of a command that will never reach the broker: what needs the connection
    /// fails, and closing what is already gone succeeds.
    func abandon(_ error: AMQPError) {
        switch self {
        case .openChannel(let promise): promise.fail(error)
        case .request(_, _, let promise): promise.fail(error)
        case .consume(_, _, let sink, let promise):
            sink.finish(throwing: error)
            promise.fail(error)
        case .publish(_, _, _, _, let promise): promise.fail(error)
        case .acknowledge(_, _, let promise): promise.fail(error)
        case .closeChannel(_, let promise): promise.succeed(.channelCloseOk)
        case .closeConnection(let promise): promise.succeed()
        }
    }
}

/// Owns the connection state machine and one state machine per open channel; turns every frame and every
/// command into one state-machine call and performs the action it returns. All on the event loop.
final class AMQPChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = AMQPFrame
    typealias OutboundIn = AMQPCommand
    typealias OutboundOut = ByteBuffer

    private var connection: ConnectionStateMachine
    private var channels: [UInt16: ChannelStateMachine] = [:]
    private var consumers: [UInt16: [String: ConsumerSink]] = [:]
    private var encoder = AMQPFrameEncoder()
    private var connectPromise: EventLoopPromise<AMQPNegotiatedParameters>?
    private var closePromises: [EventLoopPromise<Void>] = []
    private var negotiated: AMQPNegotiatedParameters?
    private var heartbeat: Scheduled<Void>?
    private var handshakeTimeout: Scheduled<Void>?
    private let configuration: AMQPConfiguration
    private let logger: Logger

    init(configuration: AMQPConfiguration, connectPromise: EventLoopPromise<AMQPNegotiatedParameters>, logger: Logger) {
        self.configuration = configuration
        self.connection = ConnectionStateMachine(configuration: configuration)
        self.connectPromise = connectPromise
        self.logger = logger
    }

    // MARK: Inbound

    func channelActive(context: ChannelHandlerContext) {
        let timeout = TimeAmount.nanoseconds(
            Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000
                + configuration.connectTimeout.components.attoseconds / 1_000_000_000)
        handshakeTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.run(self.connection.errorCaught(.timedOut), context: context)
        }
        run(connection.channelActive(), context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let error = connection.channelInactive()
        failEverything(error, context: context)
        for promise in closePromises { promise.succeed() }
        closePromises = []
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("AMQP connection error", metadata: ["kaiten.error": "\(error)"])
        let amqpError: AMQPError =
            switch error {
            case let error as AMQPError: error
            case let error as AMQPDecodingError: .protocolViolation(error.description)
            default: .connectionLost
            }
        run(connection.errorCaught(amqpError), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        logger.trace("AMQP frame received", metadata: ["kaiten.amqp_frame": "\(frame)"])
        guard frame.channel != 0 else {
            switch frame {
            case .method(_, let method): run(connection.methodReceived(method), context: context)
            case .heartbeat: connection.frameReceived()
            case .header, .body: run(connection.errorCaught(.protocolViolation("content on channel 0")), context: context)
            }
            return
        }
        connection.frameReceived()
        let id = frame.channel
        // Frames for a channel this side already tore down (a race with the broker's own close) are dropped.
        guard channels[id] != nil else { return }
        let action: ChannelStateMachine.Action =
            switch frame {
            case .method(_, let method): channels[id]!.methodReceived(method)
            case .header(_, let header): channels[id]!.headerReceived(header)
            case .body(_, let body): channels[id]!.bodyReceived(body)
            case .heartbeat: .none
            }
        run(action, channel: id, context: context)
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = unwrapOutboundIn(data)
        promise?.succeed()
        guard connection.isOpen else {
            fail(command, with: connection.closedError ?? .connectionLost, context: context)
            return
        }
        switch command {
        case .openChannel(let promise):
            guard let id = freeChannelNumber() else {
                promise.fail(AMQPError.tooManyChannels)
                return
            }
            let opened = context.eventLoop.makePromise(of: AMQPMethod.self)
            opened.futureResult.map { _ in id }.cascade(to: promise)
            channels[id] = ChannelStateMachine(openPromise: opened)
            run(channels[id]!.openAction, channel: id, context: context)
        case .request(let id, let method, let promise):
            guard channels[id] != nil else { return promise.fail(AMQPError.closed) }
            run(channels[id]!.requestReceived(method, promise: promise), channel: id, context: context)
        case .consume(let id, let consume, let sink, let promise):
            guard channels[id] != nil else {
                sink.finish(throwing: AMQPError.closed)
                return promise.fail(AMQPError.closed)
            }
            consumers[id, default: [:]][consume.consumerTag] = sink
            run(channels[id]!.requestReceived(.basicConsume(consume), promise: promise), channel: id, context: context)
        case .publish(let id, let publish, let properties, let body, let promise):
            guard channels[id] != nil else { return promise.fail(AMQPError.closed) }
            run(channels[id]!.publishRequested(publish, properties: properties, body: body, promise: promise), channel: id, context: context)
        case .acknowledge(let id, let method, let promise):
            guard channels[id] != nil else { return promise.fail(AMQPError.closed) }
            run(channels[id]!.acknowledgementRequested(method, promise: promise), channel: id, context: context)
        case .closeChannel(let id, let promise):
            guard channels[id] != nil else { return promise.succeed(.channelCloseOk) }
            run(channels[id]!.closeRequested(promise: promise), channel: id, context: context)
        case .closeConnection(let promise):
            closePromises.append(promise)
            run(connection.closeRequested(), context: context)
        }
    }

    /// A command that arrives when the connection is not open fails at once (or, for a close, succeeds).
    private func fail(_ command: AMQPCommand, with error: AMQPError, context: ChannelHandlerContext) {
        switch command {
        case .closeConnection(let promise) where context.channel.isActive:
            closePromises.append(promise)
            context.close(promise: nil)
        default:
            command.abandon(error)
        }
    }

    private func freeChannelNumber() -> UInt16? {
        let highest = negotiated.map { $0.channelMax == 0 ? UInt16.max : $0.channelMax } ?? 1
        return (1...highest).first { channels[$0] == nil }
    }

    // MARK: Actions

    private func run(_ action: ConnectionStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .sendProtocolHeader:
            encoder.protocolHeader()
            flush(context: context)
        case .sendMethods(let methods):
            for method in methods { encoder.method(method, channel: 0) }
            flush(context: context)
        case .connected(let negotiated):
            self.negotiated = negotiated
            handshakeTimeout?.cancel()
            handshakeTimeout = nil
            logger.debug("AMQP connection open", metadata: ["kaiten.amqp_negotiated": "\(negotiated)"])
            if negotiated.heartbeat > 0 { scheduleHeartbeat(context: context) }
            connectPromise?.succeed(negotiated)
            connectPromise = nil
        case .sendHeartbeat:
            encoder.frame(.heartbeat)
            flush(context: context)
        case .sendCloseOkAndClose(let error):
            logger.info("AMQP connection closed by the broker", metadata: ["kaiten.error": "\(error)"])
            encoder.method(.connectionCloseOk, channel: 0)
            flush(context: context)
            failEverything(error, context: context)
            context.close(promise: nil)
        case .closeWithError(let error):
            logger.info("AMQP connection failed", metadata: ["kaiten.error": "\(error)"])
            failEverything(error, context: context)
            context.close(promise: nil)
        case .closeSocket:
            failEverything(.closed, context: context)
            context.close(promise: nil)
        }
    }

    private func run(_ action: ChannelStateMachine.Action, channel id: UInt16, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .sendMethod(let method):
            encoder.method(method, channel: id)
            flush(context: context)
        case .sendMethodAndSucceed(let method, let promise):
            encoder.method(method, channel: id)
            flush(context: context, promise: promise)
        case .sendContent(let publish, let properties, let body):
            encoder.content(.basicPublish(publish), channel: id, properties: properties, body: body, frameMax: negotiated?.frameMax ?? 0)
            flush(context: context)
        case .sendContentAndSucceed(let publish, let properties, let body, let promise):
            encoder.content(.basicPublish(publish), channel: id, properties: properties, body: body, frameMax: negotiated?.frameMax ?? 0)
            flush(context: context, promise: promise)
        case .succeedReply(let promise, let method):
            promise.succeed(method)
        case .failReply(let promise, let error):
            promise.fail(error)
        case .failPublish(let promise, let error):
            promise.fail(error)
        case .succeedConfirms(let promises):
            for promise in promises { promise.succeed() }
        case .failConfirms(let promises, let error):
            for promise in promises { promise.fail(error) }
        case .deliver(let consumerTag, let deliver, let message):
            if let sink = consumers[id]?[consumerTag] {
                sink.yield(RawDelivery(deliver: deliver, message: message))
            } else {
                logger.debug("AMQP delivery for an unknown consumer", metadata: ["kaiten.amqp_consumer": "\(consumerTag)"])
            }
        case .returned(let basicReturn, _):
            logger.warning(
                "AMQP message returned as unroutable",
                metadata: [
                    "kaiten.amqp_exchange": "\(basicReturn.exchange)", "kaiten.amqp_routing_key": "\(basicReturn.routingKey)",
                    "kaiten.amqp_reply": "\(basicReturn.replyText)",
                ])
        case .consumerCancelledByBroker(let consumerTag, let replyCancelOk):
            consumers[id]?.removeValue(forKey: consumerTag)?.finish(throwing: AMQPError.consumerCancelledByBroker(consumerTag: consumerTag))
            if replyCancelOk {
                encoder.method(.basicCancelOk(consumerTag: consumerTag), channel: id)
                flush(context: context)
            }
        case .consumerCancelled(let promise, let method, let consumerTag):
            consumers[id]?.removeValue(forKey: consumerTag)?.finish()
            promise.succeed(method)
        case .closed(let teardown, let sendCloseOk):
            if sendCloseOk {
                logger.info("AMQP channel closed by the broker", metadata: ["kaiten.amqp_channel": "\(id)", "kaiten.error": "\(teardown.error)"])
                encoder.method(.channelCloseOk, channel: id)
                flush(context: context)
            }
            channels[id] = nil
            finish(teardown, channel: id)
        case .protocolViolation(let detail):
            run(connection.errorCaught(.protocolViolation("channel \(id): \(detail)")), context: context)
        }
    }

    private func finish(_ teardown: ChannelStateMachine.Teardown, channel id: UInt16) {
        for promise in teardown.replies { promise.fail(teardown.error) }
        for promise in teardown.confirms { promise.fail(teardown.error) }
        for promise in teardown.closeRequests { promise.succeed(.channelCloseOk) }
        for (_, sink) in consumers.removeValue(forKey: id) ?? [:] {
            if teardown.error == .closed { sink.finish() } else { sink.finish(throwing: teardown.error) }
        }
    }

    private func failEverything(_ error: AMQPError, context: ChannelHandlerContext) {
        heartbeat?.cancel()
        heartbeat = nil
        handshakeTimeout?.cancel()
        handshakeTimeout = nil
        connectPromise?.fail(error)
        connectPromise = nil
        for id in channels.keys.sorted() {
            run(channels[id]!.connectionClosed(error), channel: id, context: context)
        }
    }

    private func flush(context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        connection.frameWritten()
        context.writeAndFlush(wrapOutboundOut(encoder.flush()), promise: promise)
    }

    /// Ticks every half interval: sends a heartbeat when nothing else was sent, and gives up after two
    /// intervals of silence from the broker.
    private func scheduleHeartbeat(context: ChannelHandlerContext) {
        guard let negotiated else { return }
        heartbeat = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(negotiated.heartbeat) * 500)) {
            self.run(self.connection.heartbeatTick(), context: context)
            if self.connection.isOpen { self.scheduleHeartbeat(context: context) }
        }
    }
}
