import Foundation
import PostgresReplicationProtocol
import Synchronization

/// The part of a connection that several tasks touch: the state machine behind a lock, and the queue of outgoing
/// messages that one writer task drains.
///
/// Messages are queued while the lock is held, so they leave in the order the state machine produced them: a
/// status update from the timer can never overtake the CopyDone that ended the stream.
final class ReplicationSession: Sendable {
    private let machine: Mutex<ReplicationStateMachine>
    private let outgoing: AsyncStream<ReplicationFrontendMessage>.Continuation

    init(machine: sending ReplicationStateMachine, outgoing: AsyncStream<ReplicationFrontendMessage>.Continuation) {
        self.machine = Mutex(machine)
        self.outgoing = outgoing
    }

    /// Runs a request; its message is queued, a rejection is thrown.
    func request(_ body: (inout ReplicationStateMachine) -> ReplicationStateMachine.RequestAction) throws(ReplicationError) {
        let rejection: ReplicationError? = machine.withLock { machine in
            switch body(&machine) {
            case .send(let message):
                outgoing.yield(message)
                return nil
            case .reject(let error):
                return error
            }
        }
        if let rejection { throw rejection }
    }

    /// Runs an input that may produce one message; returns whether it did.
    @discardableResult
    func send(_ body: (inout ReplicationStateMachine) -> ReplicationFrontendMessage?) -> Bool {
        machine.withLock { machine in
            guard let message = body(&machine) else { return false }
            outgoing.yield(message)
            return true
        }
    }

    func received(_ message: ReplicationBackendMessage) -> ReplicationStateMachine.ReceiveAction {
        let now = ReplicationTimestamp.now()
        return machine.withLock { machine in
            let action = machine.messageReceived(message, now: now)
            if case .send(let reply) = action { outgoing.yield(reply) }
            return action
        }
    }

    func read<Value>(_ body: (ReplicationStateMachine) -> Value) -> Value {
        machine.withLock { body($0) }
    }

    func connectionClosed() {
        machine.withLock { $0.connectionClosed() }
    }

    /// No more messages: the writer sends what is queued and ends.
    func finishOutgoing() {
        outgoing.finish()
    }
}

extension ReplicationTimestamp {
    static func now() -> ReplicationTimestamp {
        ReplicationTimestamp(secondsSinceUnixEpoch: Date().timeIntervalSince1970)
    }
}
