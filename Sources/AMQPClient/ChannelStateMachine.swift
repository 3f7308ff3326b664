import AMQPProtocol
import NIOCore

/// A message the broker sent on a channel: a delivery to a consumer or a returned mandatory publish.
package struct AMQPMessage: Hashable, Sendable {
    package var properties: AMQPProperties
    package var body: ByteBuffer
}

/// One channel's life: the synchronous requests awaiting their replies (answered in order, spec §2.3.5.1),
/// publisher confirms, consumer tags and the assembly of content frames into messages. A pure value: every
/// input returns the action the channel handler must perform.
struct ChannelStateMachine {
    enum State {
        /// `channel.open` is sent; requests may already be queued behind it.
        case opening
        case open
        /// This client sent `channel.close`; waiting for `close-ok`.
        case closing
        /// Over, for the recorded reason.
        case closed(AMQPError)
    }

    /// A message whose method arrived and whose header and body frames are still coming.
    enum Incoming {
        case idle
        case awaitingHeader(ContentMethod)
        case awaitingBody(ContentMethod, AMQPProperties, expected: UInt64, ByteBuffer)
    }

    enum ContentMethod: Hashable {
        case deliver(BasicDeliver)
        case returned(BasicReturn)
    }

    /// Everything that fails or finishes together when the channel ends.
    struct Teardown: Equatable {
        var error: AMQPError
        var replies: [EventLoopPromise<AMQPMethod>]
        var confirms: [EventLoopPromise<Void>]
        var consumerTags: [String]
        /// `close` requests: a channel that ended, for whatever reason, is closed as asked.
        var closeRequests: [EventLoopPromise<AMQPMethod>]
    }

    enum Action: Equatable {
        case none
        case sendMethod(AMQPMethod)
        /// An asynchronous method: done once written.
        case sendMethodAndSucceed(AMQPMethod, EventLoopPromise<Void>)
        case sendContent(BasicPublish, AMQPProperties, ByteBuffer)
        /// Publish without confirm mode: the write completing is all the caller gets.
        case sendContentAndSucceed(BasicPublish, AMQPProperties, ByteBuffer, EventLoopPromise<Void>)
        case succeedReply(EventLoopPromise<AMQPMethod>, AMQPMethod)
        case failReply(EventLoopPromise<AMQPMethod>, AMQPError)
        case failPublish(EventLoopPromise<Void>, AMQPError)
        case succeedConfirms([EventLoopPromise<Void>])
        case failConfirms([EventLoopPromise<Void>], AMQPError)
        case deliver(consumerTag: String, BasicDeliver, AMQPMessage)
        case returned(BasicReturn, AMQPMessage)
        /// The broker cancelled a consumer (its queue was deleted, say); reply `cancel-ok` if asked.
        case consumerCancelledByBroker(consumerTag: String, replyCancelOk: Bool)
        /// The consumer was cancelled by request: succeed the reply and finish the consumer.
        case consumerCancelled(EventLoopPromise<AMQPMethod>, AMQPMethod, consumerTag: String)
        /// The channel ended: send `close-ok` if the broker closed it, fail or finish everything, free the number.
        case closed(Teardown, sendCloseOk: Bool)
        /// The broker broke the protocol on this channel: the connection must close.
        case protocolViolation(String)
    }

    private(set) var state: State = .opening
    private var pendingReplies: [EventLoopPromise<AMQPMethod>] = []
    private var closeRequests: [EventLoopPromise<AMQPMethod>] = []
    private(set) var confirmMode = false
    private var nextPublishSequence: UInt64 = 1
    private var unconfirmed: [UInt64: EventLoopPromise<Void>] = [:]
    private var consumerTags: Set<String> = []
    private var incoming: Incoming = .idle

    init(openPromise: EventLoopPromise<AMQPMethod>) {
        pendingReplies.append(openPromise)
    }

    /// The first action of a new channel.
    var openAction: Action { .sendMethod(.channelOpen) }

    var unconfirmedCount: Int { unconfirmed.count }

    // MARK: Requests from the client

    /// A synchronous method (declare, bind, qos, consume, cancel, confirm.select): sent now, answered in order.
    mutating func requestReceived(_ method: AMQPMethod, promise: EventLoopPromise<AMQPMethod>) -> Action {
        switch state {
        case .opening, .open:
            if case .basicConsume(let consume) = method { consumerTags.insert(consume.consumerTag) }
            pendingReplies.append(promise)
            return .sendMethod(method)
        case .closing:
            return .failReply(promise, .closed)
        case .closed(let error):
            return .failReply(promise, error)
        }
    }

    mutating func publishRequested(_ publish: BasicPublish, properties: AMQPProperties, body: ByteBuffer, promise: EventLoopPromise<Void>) -> Action {
        switch state {
        case .opening, .open:
            guard confirmMode else { return .sendContentAndSucceed(publish, properties, body, promise) }
            unconfirmed[nextPublishSequence] = promise
            nextPublishSequence += 1
            return .sendContent(publish, properties, body)
        case .closing:
            return .failPublish(promise, .closed)
        case .closed(let error):
            return .failPublish(promise, error)
        }
    }

    /// `basic.ack`, `basic.nack` or `basic.reject` about a delivery: asynchronous, no reply.
    mutating func acknowledgementRequested(_ method: AMQPMethod, promise: EventLoopPromise<Void>) -> Action {
        switch state {
        case .opening, .open:
            return .sendMethodAndSucceed(method, promise)
        case .closing:
            return .failPublish(promise, .closed)
        case .closed(let error):
            return .failPublish(promise, error)
        }
    }

    mutating func closeRequested(promise: EventLoopPromise<AMQPMethod>) -> Action {
        switch state {
        case .opening, .open:
            state = .closing
            closeRequests.append(promise)
            return .sendMethod(.channelClose(.normal))
        case .closing:
            closeRequests.append(promise)
            return .none
        case .closed:
            return .succeedReply(promise, .channelCloseOk)
        }
    }

    // MARK: Frames from the broker

    mutating func methodReceived(_ method: AMQPMethod) -> Action {
        switch incoming {
        case .idle: break
        case .awaitingHeader, .awaitingBody: return .protocolViolation("method \(method.id) inside content on a channel")
        }
        switch method {
        case .channelOpenOk:
            switch state {
            case .opening: state = .open
            case .open, .closing, .closed: return .protocolViolation("unexpected channel.open-ok")
            }
            return popReply(method)
        case .confirmSelectOk:
            confirmMode = true
            return popReply(method)
        case .exchangeDeclareOk, .queueDeclareOk, .queueBindOk, .basicQosOk, .basicConsumeOk:
            return popReply(method)
        case .basicCancelOk(let consumerTag):
            guard !pendingReplies.isEmpty else { return .protocolViolation("basic.cancel-ok with no request") }
            consumerTags.remove(consumerTag)
            return .consumerCancelled(pendingReplies.removeFirst(), method, consumerTag: consumerTag)
        case .channelCloseOk:
            switch state {
            case .closing:
                return .closed(teardown(.closed), sendCloseOk: false)
            case .opening, .open, .closed:
                return .protocolViolation("unexpected channel.close-ok")
            }
        case .channelClose(let close):
            return .closed(teardown(.channelClosedByBroker(close)), sendCloseOk: true)
        case .channelFlow(let active):
            return .sendMethod(.channelFlowOk(active: active))
        case .basicDeliver(let deliver):
            incoming = .awaitingHeader(.deliver(deliver))
            return .none
        case .basicReturn(let basicReturn):
            incoming = .awaitingHeader(.returned(basicReturn))
            return .none
        case .basicAck(let ack):
            return .succeedConfirms(settle(ack))
        case .basicNack(let nack):
            return .failConfirms(settle(nack), .publishNacked)
        case .basicCancel(let consumerTag, let noWait):
            consumerTags.remove(consumerTag)
            return .consumerCancelledByBroker(consumerTag: consumerTag, replyCancelOk: !noWait)
        case .connectionStart, .connectionStartOk, .connectionTune, .connectionTuneOk, .connectionOpen, .connectionOpenOk,
            .connectionClose, .connectionCloseOk, .connectionBlocked, .connectionUnblocked, .channelOpen, .channelFlowOk,
            .exchangeDeclare, .queueDeclare, .queueBind, .basicQos, .basicConsume, .basicPublish, .basicReject,
            .confirmSelect:
            return .protocolViolation("unexpected \(method.id) from the broker on a channel")
        }
    }

    mutating func headerReceived(_ header: AMQPContentHeader) -> Action {
        switch incoming {
        case .awaitingHeader(let method):
            guard header.bodySize > 0 else {
                incoming = .idle
                return complete(method, AMQPMessage(properties: header.properties, body: ByteBuffer()))
            }
            incoming = .awaitingBody(method, header.properties, expected: header.bodySize, ByteBuffer())
            return .none
        case .idle, .awaitingBody:
            return .protocolViolation("unexpected content header")
        }
    }

    mutating func bodyReceived(_ chunk: ByteBuffer) -> Action {
        switch incoming {
        case .awaitingBody(let method, let properties, let expected, var body):
            incoming = .idle
            if body.readableBytes == 0 && UInt64(chunk.readableBytes) == expected {
                return complete(method, AMQPMessage(properties: properties, body: chunk))
            }
            var chunk = chunk
            body.writeBuffer(&chunk)
            guard UInt64(body.readableBytes) < expected else {
                guard UInt64(body.readableBytes) == expected else { return .protocolViolation("body longer than its header said") }
                return complete(method, AMQPMessage(properties: properties, body: body))
            }
            incoming = .awaitingBody(method, properties, expected: expected, body)
            return .none
        case .idle, .awaitingHeader:
            return .protocolViolation("unexpected content body")
        }
    }

    /// The connection ended: everything on the channel fails with its error.
    mutating func connectionClosed(_ error: AMQPError) -> Action {
        switch state {
        case .closed:
            return .none
        case .opening, .open, .closing:
            return .closed(teardown(error), sendCloseOk: false)
        }
    }

    // MARK: Helpers

    private mutating func popReply(_ method: AMQPMethod) -> Action {
        guard !pendingReplies.isEmpty else { return .protocolViolation("reply \(method.id) with no request") }
        return .succeedReply(pendingReplies.removeFirst(), method)
    }

    private mutating func settle(_ acknowledgement: BasicAcknowledgement) -> [EventLoopPromise<Void>] {
        guard acknowledgement.multiple else {
            return unconfirmed.removeValue(forKey: acknowledgement.deliveryTag).map { [$0] } ?? []
        }
        let settled = unconfirmed.keys.filter { $0 <= acknowledgement.deliveryTag }.sorted()
        return settled.compactMap { unconfirmed.removeValue(forKey: $0) }
    }

    private func complete(_ method: ContentMethod, _ message: AMQPMessage) -> Action {
        switch method {
        case .deliver(let deliver): .deliver(consumerTag: deliver.consumerTag, deliver, message)
        case .returned(let basicReturn): .returned(basicReturn, message)
        }
    }

    /// Ends the channel, handing over everything still waiting on it.
    private mutating func teardown(_ error: AMQPError) -> Teardown {
        state = .closed(error)
        let result = Teardown(
            error: error, replies: pendingReplies, confirms: unconfirmed.keys.sorted().compactMap { unconfirmed[$0] },
            consumerTags: consumerTags.sorted(), closeRequests: closeRequests
        )
        pendingReplies = []
        closeRequests = []
        unconfirmed = [:]
        consumerTags = []
        incoming = .idle
        return result
    }
}
