import AMQPProtocol
import NIOCore
import NIOEmbedded
import Testing

@testable import AMQPClient

@Suite("AMQP channel state machine")
struct ChannelStateMachineTests {
    let promises = Promises()

    private func replyPromise() -> EventLoopPromise<AMQPMethod> { promises.make() }
    private func voidPromise() -> EventLoopPromise<Void> { promises.make() }

    private func openChannel() -> (ChannelStateMachine, EventLoopPromise<AMQPMethod>) {
        let open = replyPromise()
        var machine = ChannelStateMachine(openPromise: open)
        #expect(machine.openAction == .sendMethod(.channelOpen))
        #expect(machine.methodReceived(.channelOpenOk) == .succeedReply(open, .channelOpenOk))
        return (machine, open)
    }

    @Test("replies answer requests in order")
    func replies() {
        var (machine, _) = openChannel()
        let declare = replyPromise()
        let bind = replyPromise()
        let exchange = AMQPMethod.exchangeDeclare(ExchangeDeclare(exchange: "kaiten.events", type: "fanout"))
        #expect(machine.requestReceived(exchange, promise: declare) == .sendMethod(exchange))
        let queueBind = AMQPMethod.queueBind(QueueBind(queue: "q", exchange: "kaiten.events"))
        #expect(machine.requestReceived(queueBind, promise: bind) == .sendMethod(queueBind))
        #expect(machine.methodReceived(.exchangeDeclareOk) == .succeedReply(declare, .exchangeDeclareOk))
        #expect(machine.methodReceived(.queueBindOk) == .succeedReply(bind, .queueBindOk))
        guard case .protocolViolation = machine.methodReceived(.queueBindOk) else {
            Issue.record("a reply with no request must be a violation")
            return
        }
    }

    @Test("confirms: single and multiple acks settle in sequence order, a nack fails")
    func confirms() {
        var (machine, _) = openChannel()
        let select = replyPromise()
        _ = machine.requestReceived(.confirmSelect(noWait: false), promise: select)
        #expect(machine.methodReceived(.confirmSelectOk) == .succeedReply(select, .confirmSelectOk))
        #expect(machine.confirmMode)
        let publish = BasicPublish(exchange: "kaiten.events", routingKey: "")
        let body = ByteBuffer(string: "{}")
        let published = (0..<4).map { _ in voidPromise() }
        for promise in published {
            #expect(
                machine.publishRequested(publish, properties: AMQPProperties(), body: body, promise: promise)
                    == .sendContent(publish, AMQPProperties(), body))
        }
        #expect(machine.methodReceived(.basicAck(BasicAcknowledgement(deliveryTag: 2))) == .succeedConfirms([published[1]]))
        #expect(
            machine.methodReceived(.basicAck(BasicAcknowledgement(deliveryTag: 3, multiple: true))) == .succeedConfirms([published[0], published[2]]))
        #expect(machine.methodReceived(.basicNack(BasicAcknowledgement(deliveryTag: 4))) == .failConfirms([published[3]], .publishNacked))
        #expect(machine.unconfirmedCount == 0)
    }

    @Test("a delivery is assembled from its method, header and body frames")
    func delivery() {
        var (machine, _) = openChannel()
        let deliver = BasicDeliver(consumerTag: "c1", deliveryTag: 7, redelivered: false, exchange: "kaiten.events", routingKey: "")
        let properties = AMQPProperties(contentType: "application/json", deliveryMode: 2)
        #expect(machine.methodReceived(.basicDeliver(deliver)) == .none)
        #expect(machine.headerReceived(AMQPContentHeader(bodySize: 11, properties: properties)) == .none)
        #expect(machine.bodyReceived(ByteBuffer(string: "hello ")) == .none)
        #expect(
            machine.bodyReceived(ByteBuffer(string: "world"))
                == .deliver(consumerTag: "c1", deliver, AMQPMessage(properties: properties, body: ByteBuffer(string: "hello world")))
        )
        #expect(machine.methodReceived(.basicDeliver(deliver)) == .none)
        #expect(
            machine.headerReceived(AMQPContentHeader(bodySize: 0, properties: properties))
                == .deliver(consumerTag: "c1", deliver, AMQPMessage(properties: properties, body: ByteBuffer()))
        )
        guard case .protocolViolation = machine.bodyReceived(ByteBuffer(string: "x")) else {
            Issue.record("a body without a header must be a violation")
            return
        }
    }

    @Test("the broker closing the channel fails requests and confirms and ends consumers")
    func brokerClose() {
        var (machine, _) = openChannel()
        let consume = replyPromise()
        _ = machine.requestReceived(.basicConsume(BasicConsume(queue: "q", consumerTag: "c1")), promise: consume)
        #expect(machine.methodReceived(.basicConsumeOk(consumerTag: "c1")) == .succeedReply(consume, .basicConsumeOk(consumerTag: "c1")))
        let declare = replyPromise()
        _ = machine.requestReceived(.queueDeclare(QueueDeclare(queue: "missing", passive: true)), promise: declare)
        let close = AMQPClose(replyCode: 404, replyText: "NOT_FOUND - no queue 'missing'", classID: 50, methodID: 10)
        let error = AMQPError.channelClosedByBroker(close)
        #expect(
            machine.methodReceived(.channelClose(close))
                == .closed(.init(error: error, replies: [declare], confirms: [], consumerTags: ["c1"], closeRequests: []), sendCloseOk: true)
        )
        let late = replyPromise()
        #expect(machine.requestReceived(.basicQos(BasicQos(prefetchCount: 1)), promise: late) == .failReply(late, error))
    }

    @Test("client close: close, close-ok; unconfirmed publishes fail")
    func clientClose() {
        var (machine, _) = openChannel()
        _ = machine.requestReceived(.confirmSelect(noWait: false), promise: replyPromise())
        _ = machine.methodReceived(.confirmSelectOk)
        let published = voidPromise()
        _ = machine.publishRequested(
            BasicPublish(exchange: "", routingKey: "q"), properties: AMQPProperties(), body: ByteBuffer(), promise: published)
        let close = replyPromise()
        #expect(machine.closeRequested(promise: close) == .sendMethod(.channelClose(.normal)))
        #expect(
            machine.methodReceived(.channelCloseOk)
                == .closed(.init(error: .closed, replies: [], confirms: [published], consumerTags: [], closeRequests: [close]), sendCloseOk: false)
        )
    }

    @Test("a lost connection fails in-flight publishes instead of reporting them done")
    func connectionLost() {
        var (machine, _) = openChannel()
        _ = machine.requestReceived(.confirmSelect(noWait: false), promise: replyPromise())
        _ = machine.methodReceived(.confirmSelectOk)
        let published = voidPromise()
        _ = machine.publishRequested(
            BasicPublish(exchange: "", routingKey: "q"), properties: AMQPProperties(), body: ByteBuffer(), promise: published)
        #expect(
            machine.connectionClosed(.connectionLost)
                == .closed(.init(error: .connectionLost, replies: [], confirms: [published], consumerTags: [], closeRequests: []), sendCloseOk: false)
        )
        let after = voidPromise()
        #expect(
            machine.publishRequested(BasicPublish(exchange: "", routingKey: "q"), properties: AMQPProperties(), body: ByteBuffer(), promise: after)
                == .failPublish(after, .connectionLost))
    }

    @Test("the broker cancelling a consumer is passed on")
    func brokerCancel() {
        var (machine, _) = openChannel()
        #expect(
            machine.methodReceived(.basicCancel(consumerTag: "c1", noWait: true))
                == .consumerCancelledByBroker(consumerTag: "c1", replyCancelOk: false))
    }
}

/// Makes the promises a test hands to the state machine, and fails whichever are still pending when the test
/// ends: NIO treats a promise dropped uncompleted as a bug. Completing a promise twice is a no-op.
final class Promises {
    private let loop = EmbeddedEventLoop()
    private var pending: [() -> Void] = []

    func make<Value>() -> EventLoopPromise<Value> {
        let promise = loop.makePromise(of: Value.self)
        pending.append { promise.fail(AMQPError.closed) }
        return promise
    }

    deinit {
        for fail in pending { fail() }
    }
}
