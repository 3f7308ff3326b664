import AMQPProtocol
import Testing

@testable import AMQPClient

@Suite("AMQP connection state machine")
struct ConnectionStateMachineTests {
    let configuration = AMQPConfiguration(
        username: "kaiten", password: "secret", virtualHost: "/kaiten", heartbeat: 10, frameMax: 65_536, channelMax: 100)

    private func start(mechanisms: String = "AMQPLAIN PLAIN") -> AMQPMethod {
        .connectionStart(ConnectionStart(serverProperties: [:], mechanisms: mechanisms, locales: "en_US"))
    }

    private func opened() -> ConnectionStateMachine {
        var machine = ConnectionStateMachine(configuration: configuration)
        _ = machine.channelActive()
        _ = machine.methodReceived(start())
        _ = machine.methodReceived(.connectionTune(ConnectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 60)))
        _ = machine.methodReceived(.connectionOpenOk)
        return machine
    }

    @Test("handshake: header, start-ok with PLAIN, tune-ok with the smaller limits, open, open-ok")
    func handshake() throws {
        var machine = ConnectionStateMachine(configuration: configuration)
        #expect(machine.channelActive() == .sendProtocolHeader)
        let startOk = machine.methodReceived(start())
        guard case .sendMethods(let methods) = startOk, case .connectionStartOk(let answer) = methods.first else {
            Issue.record("expected start-ok, got \(startOk)")
            return
        }
        #expect(answer.mechanism == "PLAIN")
        #expect(answer.response == "\u{0}kaiten\u{0}secret")
        #expect(answer.clientProperties["capabilities"] != nil)
        let negotiated = AMQPNegotiatedParameters(channelMax: 100, frameMax: 65_536, heartbeat: 10)
        #expect(
            machine.methodReceived(.connectionTune(ConnectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 60)))
                == .sendMethods([
                    .connectionTuneOk(ConnectionTune(channelMax: 100, frameMax: 65_536, heartbeat: 10)), .connectionOpen(virtualHost: "/kaiten"),
                ])
        )
        #expect(machine.methodReceived(.connectionOpenOk) == .connected(negotiated))
        #expect(machine.isOpen)
    }

    @Test("tune: a zero (no limit) from the broker yields to the client's value")
    func tuneZero() {
        #expect(ConnectionStateMachine.smallerNonZero(UInt16(0), 2047) == 2047)
        #expect(ConnectionStateMachine.smallerNonZero(UInt32(131_072), 0) == 131_072)
        #expect(ConnectionStateMachine.smallerNonZero(UInt16(60), 0, zeroWins: true) == 0)
    }

    @Test("a broker offering no PLAIN is refused")
    func noPlain() {
        var machine = ConnectionStateMachine(configuration: configuration)
        _ = machine.channelActive()
        #expect(machine.methodReceived(start(mechanisms: "EXTERNAL")) == .closeWithError(.unsupportedMechanisms("EXTERNAL")))
    }

    @Test("refused credentials: the broker's close is answered and surfaced")
    func accessRefused() {
        var machine = ConnectionStateMachine(configuration: configuration)
        _ = machine.channelActive()
        _ = machine.methodReceived(start())
        let close = AMQPClose(replyCode: 403, replyText: "ACCESS_REFUSED - Login was refused", classID: 10, methodID: 11)
        #expect(machine.methodReceived(.connectionClose(close)) == .sendCloseOkAndClose(.connectionClosedByBroker(close)))
        #expect(machine.closedError == .connectionClosedByBroker(close))
        #expect(machine.channelInactive() == .connectionClosedByBroker(close))
    }

    @Test("heartbeats: sent when idle, quiet when writing, dead after two silent intervals")
    func heartbeats() {
        var machine = opened()
        machine.frameReceived()
        #expect(machine.heartbeatTick() == .sendHeartbeat)
        machine.frameWritten()
        machine.frameReceived()
        #expect(machine.heartbeatTick() == .none)
        #expect(machine.heartbeatTick() == .sendHeartbeat)
        #expect(machine.heartbeatTick() == .sendHeartbeat)
        #expect(machine.heartbeatTick() == .sendHeartbeat)
        #expect(machine.heartbeatTick() == .closeWithError(.missedHeartbeats))
        #expect(machine.heartbeatTick() == .none)
    }

    @Test("client close: close, close-ok, socket closed")
    func clientClose() {
        var machine = opened()
        #expect(machine.closeRequested() == .sendMethods([.connectionClose(.normal)]))
        #expect(machine.closeRequested() == .none)
        #expect(machine.methodReceived(.basicQosOk) == .none)
        #expect(machine.methodReceived(.connectionCloseOk) == .closeSocket)
        #expect(machine.channelInactive() == .closed)
    }

    @Test("a socket that drops is a lost connection")
    func lost() {
        var machine = opened()
        #expect(machine.channelInactive() == .connectionLost)
        #expect(machine.closeRequested() == .none)
    }

    @Test("an unexpected method on channel 0 is a protocol violation")
    func unexpected() {
        var machine = opened()
        guard
            case .closeWithError(.protocolViolation) = machine.methodReceived(
                .connectionTune(ConnectionTune(channelMax: 1, frameMax: 1, heartbeat: 1)))
        else {
            Issue.record("expected a protocol violation")
            return
        }
    }
}
