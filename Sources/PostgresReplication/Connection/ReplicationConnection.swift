import Logging
import NIOCore
import NIOPosix
import PostgresReplicationProtocol

/// A logical replication connection (`replication=database`): replication commands, simple SQL, and one
/// CopyBoth stream of decoded pgoutput changes.
///
/// Open it with ``withConnection(configuration:eventLoopGroup:logger:_:)``; the connection lives for the closure.
/// It belongs to the task that runs the closure (reads happen there, which gives backpressure); other tasks confirm
/// positions through the Sendable ``feedback``.
///
/// Inside, a channel with only the frame decoder is wrapped in an `NIOAsyncChannel`. One child task writes the
/// outgoing queue, another sends a standby status update every `statusInterval` while streaming; everything else
/// is the pure ``ReplicationStateMachine``.
package final class ReplicationConnection {
    private var inbound: NIOAsyncChannelInboundStream<ReplicationBackendMessage>.AsyncIterator
    private let session: ReplicationSession
    let configuration: ReplicationConfiguration
    private let logger: Logger

    private init(
        inbound: NIOAsyncChannelInboundStream<ReplicationBackendMessage>.AsyncIterator,
        session: ReplicationSession,
        configuration: ReplicationConfiguration,
        logger: Logger
    ) {
        self.inbound = inbound
        self.session = session
        self.configuration = configuration
        self.logger = logger
    }

    /// Confirmation and stop, for any task.
    package var feedback: ReplicationFeedback {
        ReplicationFeedback(session: session)
    }

    /// Connects and authenticates, runs `body`, then ends the stream if one runs and says goodbye (Terminate).
    ///
    /// If `body` throws, the connection is dropped without ceremony; unconfirmed events are delivered again on
    /// the next connection either way.
    package static func withConnection<Result: Sendable>(
        configuration: ReplicationConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        _ body: (ReplicationConnection) async throws -> Result
    ) async throws -> Result {
        let (seconds, attoseconds) = configuration.connectTimeout.components
        let channel = try await ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ReplicationBackendMessageDecoder()))
                    // Each pgoutput message is one inbound element; a deeper buffer than the default keeps reads
                    // flowing while the consumer handles a transaction, and still bounds memory.
                    return try NIOAsyncChannel<ReplicationBackendMessage, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 64, highWatermark: 256))
                    )
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let (messages, continuation) = AsyncStream.makeStream(of: ReplicationFrontendMessage.self)
            let machine = ReplicationStateMachine(
                username: configuration.username, password: configuration.password, clientNonce: SCRAMSHA256.makeNonce()
            )
            let session = ReplicationSession(machine: machine, outgoing: continuation)
            let connection = ReplicationConnection(
                inbound: inbound.makeAsyncIterator(), session: session, configuration: configuration, logger: logger
            )
            return try await withThrowingTaskGroup(of: Void.self) { writerGroup in
                writerGroup.addTask {
                    var encoder = ReplicationFrontendMessageEncoder()
                    for await message in messages {
                        logger.trace("postgres replication send", metadata: ["kaiten.replication.message": "\(message)"])
                        encoder.encode(message)
                        do {
                            try await outbound.write(encoder.flushBuffer())
                        } catch {
                            // The connection is gone. The reader finds out too, with the server's own error when
                            // it sent one (a terminated walsender's FATAL), which says more than a failed write.
                            logger.debug("postgres replication write failed", metadata: ["kaiten.error": "\(error)"])
                            return
                        }
                    }
                }
                let result: Result
                do {
                    result = try await withThrowingTaskGroup(of: Void.self) { timerGroup in
                        timerGroup.addTask {
                            while !Task.isCancelled {
                                do { try await Task.sleep(for: configuration.statusInterval) } catch { return }
                                let now = ReplicationTimestamp.now()
                                session.send { $0.statusTimerFired(now: now) }
                            }
                        }
                        defer { timerGroup.cancelAll() }
                        try await connection.startUp()
                        let result = try await body(connection)
                        try await connection.stopReplication()
                        session.send { $0.terminateRequested() }
                        return result
                    }
                } catch {
                    // The writer may be stuck behind a peer that stopped reading; the channel closes right after.
                    session.finishOutgoing()
                    writerGroup.cancelAll()
                    throw error
                }
                session.finishOutgoing()
                try await writerGroup.waitForAll()
                return result
            }
        }
    }

    /// Runs one SQL statement or replication command with the simple query protocol.
    ///
    /// - Throws: ``ReplicationError/server(_:)`` when the server refuses; the connection stays usable.
    package func simpleQuery(_ sql: String) async throws -> SimpleQueryResult {
        try session.request { $0.queryRequested(sql) }
        let action = try await nextAction()
        switch action {
        case .queryCompleted(let result): return result
        case .commandFailed(let error): throw ReplicationError.server(error)
        case .none, .send, .connected, .replicationStarted, .deliver, .replicationStopped, .fail: throw Self.unexpected(action)
        }
    }

    /// Starts streaming from `slot` and returns the stream of decoded events.
    ///
    /// - Parameters:
    ///   - publications: What to stream (`publication_names`).
    ///   - start: Where to start. PostgreSQL 15 starts at the later of this and the slot's `confirmed_flush_lsn`, so
    ///     `.zero` resumes right after the last confirmed event.
    ///   - logicalMessages: Whether to receive `pg_logical_emit_message` messages (`messages 'true'`).
    package func startReplication(
        slot: String, publications: [String], from start: LSN = .zero, logicalMessages: Bool = true
    ) async throws
        -> ReplicationStream
    {
        guard SQLQuoting.isValidSlotName(slot) else { throw ReplicationError.invalidSlot("'\(slot)' is not a valid slot name") }
        guard !publications.isEmpty else { throw ReplicationError.invalidState("START_REPLICATION needs at least one publication") }
        let names = publications.map(SQLQuoting.identifier).joined(separator: ",")
        var options = ["proto_version '1'", "publication_names \(SQLQuoting.literal(names))"]
        if logicalMessages { options.append("messages 'true'") }
        let command = "START_REPLICATION SLOT \(slot) LOGICAL \(start) (\(options.joined(separator: ", ")))"
        try session.request { $0.startReplicationRequested(command) }
        let action = try await nextAction()
        switch action {
        case .replicationStarted:
            logger.debug("replication started", metadata: ["kaiten.replication.slot": "\(slot)", "kaiten.replication.start": "\(start)"])
            return ReplicationStream(connection: self)
        case .commandFailed(let error): throw ReplicationError.server(error)
        case .none, .send, .connected, .queryCompleted, .deliver, .replicationStopped, .fail: throw Self.unexpected(action)
        }
    }

    /// Confirms the event delivered at `position`; see ``ReplicationFeedback/confirm(_:)``.
    package func confirm(_ position: LSN) {
        feedback.confirm(position)
    }

    /// Confirms every delivered event at or before `position`.
    package func confirm(upTo position: LSN) {
        feedback.confirm(upTo: position)
    }

    /// Ends a running stream (CopyDone) and waits until the server has ended its side; the connection is then
    /// idle and takes commands again. Does nothing when no stream runs.
    package func stopReplication() async throws {
        session.send { $0.stopReplicationRequested() }
        guard session.read({ $0.canDeliver }) else { return }
        while true {
            let action = try await nextAction()
            switch action {
            case .replicationStopped: return
            case .deliver: continue
            case .none, .send, .connected, .queryCompleted, .commandFailed, .replicationStarted, .fail: throw Self.unexpected(action)
            }
        }
    }

    /// Delivered events that the slot has not passed yet (unconfirmed, or waiting on an earlier unconfirmed one).
    package var unconfirmedCount: Int {
        session.read { $0.unconfirmedCount }
    }

    func nextEvent() async throws -> ReplicationEvent? {
        guard session.read({ $0.canDeliver }) else { return nil }
        let action = try await nextAction()
        switch action {
        case .deliver(let event): return event
        case .replicationStopped: return nil
        case .none, .send, .connected, .queryCompleted, .commandFailed, .replicationStarted, .fail: throw Self.unexpected(action)
        }
    }

    private func startUp() async throws {
        try session.request {
            $0.connect(database: configuration.database, parameters: ["application_name": configuration.applicationName, "client_encoding": "UTF8"])
        }
        let action = try await nextAction()
        switch action {
        case .connected:
            logger.debug("replication connection ready", metadata: ["kaiten.replication.database": "\(configuration.database)"])
        case .none, .send, .queryCompleted, .commandFailed, .replicationStarted, .deliver, .replicationStopped, .fail:
            throw Self.unexpected(action)
        }
    }

    /// Reads server messages until one needs the caller: everything else (keepalive replies, parameter reports…)
    /// the state machine and the writer handle on the way.
    private func nextAction() async throws -> ReplicationStateMachine.ReceiveAction {
        while true {
            let message: ReplicationBackendMessage?
            do {
                message = try await inbound.next()
            } catch let error as ReplicationDecodingError {
                session.connectionClosed()
                throw ReplicationError.decoding(error)
            } catch {
                session.connectionClosed()
                throw error
            }
            guard let message else {
                session.connectionClosed()
                if Task.isCancelled { throw CancellationError() }
                throw ReplicationError.connectionClosed
            }
            logger.trace("postgres replication receive", metadata: ["kaiten.replication.message": "\(message.name)"])
            let action = session.received(message)
            switch action {
            case .none, .send: continue
            case .fail(let error): throw error
            case .connected, .queryCompleted, .commandFailed, .replicationStarted, .deliver, .replicationStopped: return action
            }
        }
    }

    private static func unexpected(_ action: ReplicationStateMachine.ReceiveAction) -> ReplicationError {
        .protocolViolation("unexpected \(action) for this request")
    }
}
