import AMQPProtocol

/// What the connection agreed on in `connection.tune`/`tune-ok`.
package struct AMQPNegotiatedParameters: Hashable, Sendable {
    package var channelMax: UInt16
    package var frameMax: UInt32
    /// Seconds; 0 means no heartbeats.
    package var heartbeat: UInt16
}

/// The connection's life on channel 0: the handshake, heartbeats and the closing handshake. A pure value:
/// every input returns the action the channel handler must perform.
struct ConnectionStateMachine {
    enum State: Hashable {
        /// TCP is not connected yet.
        case initial
        /// The protocol header is sent; waiting for `connection.start`.
        case awaitingStart
        /// `start-ok` is sent; waiting for `connection.tune` (or a close refusing the credentials).
        case awaitingTune
        /// `tune-ok` and `open` are sent; waiting for `open-ok`.
        case awaitingOpenOk(AMQPNegotiatedParameters)
        /// Usable: channels may be opened.
        case open(AMQPNegotiatedParameters)
        /// This client sent `connection.close`; waiting for `close-ok`.
        case closing
        /// Over, for the recorded reason; every later request fails with it.
        case closed(AMQPError)
    }

    enum Action: Hashable {
        case none
        case sendProtocolHeader
        case sendMethods([AMQPMethod])
        /// The handshake finished: succeed the connect promise and start the heartbeat timer.
        case connected(AMQPNegotiatedParameters)
        case sendHeartbeat
        /// Send `close-ok` for the broker's close, then fail everything with the error and close the socket.
        case sendCloseOkAndClose(AMQPError)
        /// Fail everything with the error and close the socket.
        case closeWithError(AMQPError)
        /// The closing handshake finished: close the socket.
        case closeSocket
    }

    private(set) var state: State = .initial
    private let configuration: AMQPConfiguration
    private var readSinceTick = false
    private var wroteSinceTick = false
    private var silentTicks = 0

    /// Heartbeat ticks happen every half interval, so four silent ticks are two missed heartbeats.
    static let silentTicksBeforeDead = 4

    init(configuration: AMQPConfiguration) {
        self.configuration = configuration
    }

    var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    var closedError: AMQPError? {
        switch state {
        case .closed(let error): error
        case .initial, .awaitingStart, .awaitingTune, .awaitingOpenOk, .open, .closing: nil
        }
    }

    mutating func channelActive() -> Action {
        switch state {
        case .initial:
            state = .awaitingStart
            return .sendProtocolHeader
        case .awaitingStart, .awaitingTune, .awaitingOpenOk, .open, .closing, .closed:
            preconditionFailure("channelActive in \(state)")
        }
    }

    mutating func methodReceived(_ method: AMQPMethod) -> Action {
        readSinceTick = true
        if case .connectionClose(let close) = method {
            switch state {
            case .closed:
                return .none
            case .initial, .awaitingStart, .awaitingTune, .awaitingOpenOk, .open, .closing:
                let error = AMQPError.connectionClosedByBroker(close)
                state = .closed(error)
                return .sendCloseOkAndClose(error)
            }
        }
        switch (state, method) {
        case (.awaitingStart, .connectionStart(let start)):
            guard start.mechanisms.split(separator: " ").contains("PLAIN") else {
                return fail(.unsupportedMechanisms(start.mechanisms))
            }
            state = .awaitingTune
            return .sendMethods([
                .connectionStartOk(.plain(username: configuration.username, password: configuration.password, clientProperties: clientProperties))
            ])
        case (.awaitingTune, .connectionTune(let offer)):
            let negotiated = AMQPNegotiatedParameters(
                channelMax: Self.smallerNonZero(offer.channelMax, configuration.channelMax),
                frameMax: max(AMQPFrame.minimumFrameMax, Self.smallerNonZero(offer.frameMax, configuration.frameMax)),
                heartbeat: Self.smallerNonZero(offer.heartbeat, configuration.heartbeat, zeroWins: configuration.heartbeat == 0)
            )
            state = .awaitingOpenOk(negotiated)
            return .sendMethods([
                .connectionTuneOk(ConnectionTune(channelMax: negotiated.channelMax, frameMax: negotiated.frameMax, heartbeat: negotiated.heartbeat)),
                .connectionOpen(virtualHost: configuration.virtualHost),
            ])
        case (.awaitingOpenOk(let negotiated), .connectionOpenOk):
            state = .open(negotiated)
            return .connected(negotiated)
        case (.open, .connectionBlocked), (.open, .connectionUnblocked):
            return .none
        case (.closing, .connectionCloseOk):
            state = .closed(.closed)
            return .closeSocket
        case (.closing, _), (.closed, _):
            return .none
        case (.initial, _), (.awaitingStart, _), (.awaitingTune, _), (.awaitingOpenOk, _), (.open, _):
            return fail(.protocolViolation("unexpected \(method.id) on channel 0 while \(state)"))
        }
    }

    /// Any frame, on any channel, proves the broker is alive.
    mutating func frameReceived() {
        readSinceTick = true
    }

    mutating func frameWritten() {
        wroteSinceTick = true
    }

    /// Called every half heartbeat interval while open.
    mutating func heartbeatTick() -> Action {
        switch state {
        case .open:
            defer {
                readSinceTick = false
                wroteSinceTick = false
            }
            silentTicks = readSinceTick ? 0 : silentTicks + 1
            if silentTicks >= Self.silentTicksBeforeDead { return fail(.missedHeartbeats) }
            return wroteSinceTick ? .none : .sendHeartbeat
        case .initial, .awaitingStart, .awaitingTune, .awaitingOpenOk, .closing, .closed:
            return .none
        }
    }

    mutating func closeRequested() -> Action {
        switch state {
        case .open:
            state = .closing
            return .sendMethods([.connectionClose(.normal)])
        case .initial, .awaitingStart, .awaitingTune, .awaitingOpenOk:
            return fail(.closed)
        case .closing, .closed:
            return .none
        }
    }

    mutating func errorCaught(_ error: AMQPError) -> Action {
        switch state {
        case .closed:
            return .none
        case .initial, .awaitingStart, .awaitingTune, .awaitingOpenOk, .open, .closing:
            return fail(error)
        }
    }

    /// The socket closed. Returns the error everything still pending must fail with.
    mutating func channelInactive() -> AMQPError {
        switch state {
        case .closed(let error):
            return error
        case .initial, .awaitingStart, .awaitingTune, .awaitingOpenOk, .open, .closing:
            state = .closed(.connectionLost)
            return .connectionLost
        }
    }

    private mutating func fail(_ error: AMQPError) -> Action {
        state = .closed(error)
        return .closeWithError(error)
    }

    private var clientProperties: AMQPTable {
        [
            "product": "Kaiten AMQPClient",
            "platform": "Swift",
            "connection_name": .string(configuration.connectionName),
            "capabilities": .table([
                "publisher_confirms": true,
                "basic.nack": true,
                "consumer_cancel_notify": true,
                "connection.blocked": true,
                "authentication_failure_close": true,
                "exchange_exchange_bindings": true,
            ]),
        ]
    }

    /// Tune rule: the smaller value wins, except that 0 ("no limit") yields to any real limit.
    static func smallerNonZero<T: FixedWidthInteger>(_ server: T, _ client: T, zeroWins: Bool = false) -> T {
        if zeroWins { return 0 }
        if server == 0 { return client }
        if client == 0 { return server }
        return min(server, client)
    }
}
