import AMQPProtocol
import Logging
import NIOCore
import NIOPosix

/// One connection to a broker. Open channels on it; close it when done. It does not reconnect: that is
/// `AMQPConnectionService`'s job.
package final class AMQPConnection: Sendable {
    let channel: any Channel
    package let negotiated: AMQPNegotiatedParameters

    private init(channel: any Channel, negotiated: AMQPNegotiatedParameters) {
        self.channel = channel
        self.negotiated = negotiated
    }

    /// Connects and completes the handshake (protocol header, start/start-ok with PLAIN, tune/tune-ok, open).
    package static func connect(
        _ configuration: AMQPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) async throws -> AMQPConnection {
        let eventLoop = eventLoopGroup.next()
        let handshake = eventLoop.makePromise(of: AMQPNegotiatedParameters.self)
        let maximumFrameSize = configuration.frameMax == 0 ? UInt32.max : max(configuration.frameMax, AMQPFrame.minimumFrameMax)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(.seconds(Int64(configuration.connectTimeout.components.seconds)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(AMQPFrameDecoder(maximumFrameSize: maximumFrameSize)),
                            AMQPChannelHandler(configuration: configuration, connectPromise: handshake, logger: logger)
                        )
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            handshake.fail(error)
            throw error
        }
        do {
            let negotiated = try await handshake.futureResult.get()
            return AMQPConnection(channel: channel, negotiated: negotiated)
        } catch {
            try? await channel.close()
            throw error
        }
    }

    package func openChannel() async throws -> AMQPChannel {
        let promise = channel.eventLoop.makePromise(of: UInt16.self)
        send(.openChannel(promise))
        return AMQPChannel(id: try await promise.futureResult.get(), connection: self)
    }

    /// The closing handshake (`connection.close`/`close-ok`); everything still pending fails with `.closed`.
    package func close() async throws {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        send(.closeConnection(promise))
        try await promise.futureResult.get()
    }

    /// Completes when the socket closes, for any reason.
    package var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    package var isOpen: Bool { channel.isActive }

    /// Hands a command to the handler. On a socket that already closed, NIO fails the write without the
    /// handler seeing it, so the command is settled here: otherwise an ack or publish on a lost connection
    /// would wait forever.
    func send(_ command: AMQPCommand) {
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in command.abandon(.connectionLost) }
        channel.writeAndFlush(command, promise: written)
    }
}
