import AMQPProtocol

/// Why an AMQP operation did not complete. A publish that throws any of these was not confirmed by the
/// broker and must be treated as not done.
package enum AMQPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The broker closed the connection (`connection.close`), e.g. 403 ACCESS_REFUSED for bad credentials,
    /// 320 CONNECTION_FORCED when an operator closes it, 530 NOT_ALLOWED for an unknown virtual host.
    case connectionClosedByBroker(AMQPClose)
    /// The broker closed the channel (`channel.close`), e.g. 404 NOT_FOUND for a missing queue or 406
    /// PRECONDITION_FAILED for a redeclaration with different arguments. The connection stays usable.
    case channelClosedByBroker(AMQPClose)
    /// The TCP connection ended without a closing handshake.
    case connectionLost
    /// Nothing arrived for two heartbeat intervals.
    case missedHeartbeats
    /// The broker refused responsibility for a published message (`basic.nack`).
    case publishNacked
    /// The broker offers no mechanism this client speaks (only PLAIN is spoken).
    case unsupportedMechanisms(String)
    /// The broker sent something the protocol does not allow at this point.
    case protocolViolation(String)
    /// The connection or channel was closed by this client.
    case closed
    /// The broker cancelled the consumer, e.g. because its queue was deleted.
    case consumerCancelledByBroker(consumerTag: String)
    /// The handshake did not finish within the connect timeout.
    case timedOut
    /// Every channel number up to the negotiated `channel-max` is in use.
    case tooManyChannels

    package var description: String {
        switch self {
        case .connectionClosedByBroker(let close): "connection closed by broker: \(close.replyCode) \(close.replyText)"
        case .channelClosedByBroker(let close): "channel closed by broker: \(close.replyCode) \(close.replyText)"
        case .connectionLost: "connection to the broker lost"
        case .missedHeartbeats: "broker missed two heartbeats"
        case .publishNacked: "broker nacked the published message"
        case .unsupportedMechanisms(let offered): "broker offers no supported SASL mechanism (offered: \(offered))"
        case .protocolViolation(let detail): "AMQP protocol violation: \(detail)"
        case .closed: "closed by the client"
        case .consumerCancelledByBroker(let tag): "broker cancelled consumer \(tag)"
        case .timedOut: "AMQP handshake timed out"
        case .tooManyChannels: "no free channel number"
        }
    }
}
