import NIOCore
import PostgresReplicationProtocol

/// The whole life of one replication connection as a pure value: start-up and authentication, simple queries,
/// CopyBoth streaming with pgoutput decoding and LSN feedback, and the way out.
///
/// It performs no I/O. Each input is a method that returns what to do; the connection sends the messages and
/// hands the rest to its caller.
struct ReplicationStateMachine {
    /// Where the conversation stands.
    enum State {
        /// Nothing sent yet; the startup packet comes first.
        case initial
        /// Startup packet sent; answering the server's authentication requests. Carries the SCRAM exchange once
        /// the server picked SASL.
        case authenticating(SCRAMSHA256?)
        /// Authenticated; the server reports its parameters until its first ReadyForQuery.
        case startingUp
        /// Ready for a command.
        case idle
        /// A simple query runs; its result collects until ReadyForQuery.
        case querying(QueryState)
        /// `START_REPLICATION` sent; the server answers CopyBothResponse, or an error then ReadyForQuery.
        case startingReplication(error: PostgresServerError?)
        /// CopyBoth: changes arrive, feedback goes out.
        case streaming(StreamState)
        /// CopyDone sent; the rest of the stream is discarded until ReadyForQuery.
        case stoppingReplication
        /// Terminate sent, or the connection failed or closed; nothing more happens.
        case closed
        /// Only while a method rebuilds the state: holding no copy of the stream's arrays and dictionaries keeps
        /// them uniquely referenced, so appending a row does not copy the transaction.
        case modifying
    }

    /// What a simple query has produced so far; only the last statement's result set is kept.
    struct QueryState {
        var columns: [String] = []
        var rows: [[String?]] = []
        var commandTag = ""
        var error: PostgresServerError?
    }

    /// Everything streaming needs to remember.
    struct StreamState {
        /// Relation OID → table, from the Relation messages seen on this connection.
        var relations: [UInt32: ReplicationRelation] = [:]
        /// The transaction between Begin and Commit, if any.
        var transaction: ReplicationTransaction?
        var tracker = ConfirmationTracker()
        /// The furthest WAL position received, reported as written.
        var received: LSN = .zero
    }

    /// What to do after a message from the server.
    enum ReceiveAction: Equatable {
        case none
        case send(ReplicationFrontendMessage)
        /// Start-up finished: the connection takes commands.
        case connected
        case queryCompleted(SimpleQueryResult)
        /// A query or `START_REPLICATION` failed; the connection is idle again.
        case commandFailed(PostgresServerError)
        case replicationStarted
        case deliver(ReplicationEvent)
        /// The stream ended (after CopyDone); the connection is idle again.
        case replicationStopped
        /// The connection cannot go on.
        case fail(ReplicationError)
    }

    /// What to do after a command is requested.
    enum RequestAction: Equatable {
        case send(ReplicationFrontendMessage)
        case reject(ReplicationError)
    }

    private var state: State = .initial
    private let username: String
    private let password: String?
    private let clientNonce: String

    /// - Parameter clientNonce: The SCRAM nonce to use if the server asks for SCRAM-SHA-256.
    init(username: String, password: String?, clientNonce: String) {
        self.username = username
        self.password = password
        self.clientNonce = clientNonce
    }

    /// Whether the stream has events or its end still to come.
    var canDeliver: Bool {
        switch state {
        case .streaming, .stoppingReplication: true
        case .modifying: preconditionFailure("the state is being modified")
        case .initial, .authenticating, .startingUp, .idle, .querying, .startingReplication, .closed: false
        }
    }

    /// Delivered events whose positions the slot has not passed yet.
    var unconfirmedCount: Int {
        switch state {
        case .streaming(let stream): stream.tracker.unconfirmedCount
        case .modifying: preconditionFailure("the state is being modified")
        case .initial, .authenticating, .startingUp, .idle, .querying, .startingReplication, .stoppingReplication, .closed: 0
        }
    }

    // MARK: - Requests

    mutating func connect(database: String, parameters: [String: String]) -> RequestAction {
        switch state {
        case .initial:
            state = .authenticating(nil)
            return .send(.startup(user: username, database: database, parameters: parameters))
        case .modifying: preconditionFailure("the state is being modified")
        case .authenticating, .startingUp, .idle, .querying, .startingReplication, .streaming, .stoppingReplication, .closed:
            return .reject(.invalidState("already connected"))
        }
    }

    mutating func queryRequested(_ sql: String) -> RequestAction {
        switch state {
        case .idle:
            state = .querying(QueryState())
            return .send(.query(sql))
        case .modifying: preconditionFailure("the state is being modified")
        case .initial, .authenticating, .startingUp, .querying, .startingReplication, .streaming, .stoppingReplication, .closed:
            return .reject(.invalidState("a query needs an idle connection"))
        }
    }

    /// - Parameter command: The complete `START_REPLICATION … LOGICAL …` command.
    mutating func startReplicationRequested(_ command: String) -> RequestAction {
        switch state {
        case .idle:
            state = .startingReplication(error: nil)
            return .send(.query(command))
        case .modifying: preconditionFailure("the state is being modified")
        case .initial, .authenticating, .startingUp, .querying, .startingReplication, .streaming, .stoppingReplication, .closed:
            return .reject(.invalidState("replication can only start on an idle connection"))
        }
    }

    /// Ends the stream with CopyDone; nil when not streaming.
    mutating func stopReplicationRequested() -> ReplicationFrontendMessage? {
        switch state {
        case .streaming:
            state = .stoppingReplication
            return .copyDone
        case .modifying: preconditionFailure("the state is being modified")
        case .initial, .authenticating, .startingUp, .idle, .querying, .startingReplication, .stoppingReplication, .closed:
            return nil
        }
    }

    /// Says goodbye; nil when the connection is already gone or never got going.
    mutating func terminateRequested() -> ReplicationFrontendMessage? {
        switch state {
        case .modifying: preconditionFailure("the state is being modified")
        case .initial, .closed:
            state = .closed
            return nil
        case .authenticating, .startingUp, .idle, .querying, .startingReplication, .streaming, .stoppingReplication:
            state = .closed
            return .terminate
        }
    }

    /// The consumer handled the event at `position` (or, with `upTo`, every event up to it). Returns the status
    /// update to send when that moved the flushed position.
    mutating func confirmed(_ position: LSN, upTo: Bool, now: ReplicationTimestamp) -> ReplicationFrontendMessage? {
        switch state {
        case .streaming(var stream):
            state = .modifying
            let moved = upTo ? stream.tracker.confirm(upTo: position) : stream.tracker.confirm(position)
            state = .streaming(stream)
            return moved ? .standbyStatusUpdate(Self.status(of: stream, now: now)) : nil
        case .modifying: preconditionFailure("the state is being modified")
        case .initial, .authenticating, .startingUp, .idle, .querying, .startingReplication, .stoppingReplication, .closed:
            return nil
        }
    }

    /// The periodic status update that keeps the walsender from timing out; nil when not streaming.
    func statusTimerFired(now: ReplicationTimestamp) -> ReplicationFrontendMessage? {
        switch state {
        case .streaming(let stream): .standbyStatusUpdate(Self.status(of: stream, now: now))
        case .modifying: preconditionFailure("the state is being modified")
        case .initial, .authenticating, .startingUp, .idle, .querying, .startingReplication, .stoppingReplication, .closed: nil
        }
    }

    /// The connection ended under us.
    mutating func connectionClosed() {
        state = .closed
    }

    // MARK: - Server messages

    mutating func messageReceived(_ message: ReplicationBackendMessage, now: ReplicationTimestamp) -> ReceiveAction {
        switch message {
        case .parameterStatus, .backendKeyData, .notice:
            return .none
        case .authentication(let request):
            return authenticationReceived(request)
        case .error(let response):
            return errorReceived(PostgresServerError(response))
        case .readyForQuery:
            return readyForQueryReceived()
        case .rowDescription(let description):
            guard case .querying(var query) = state else { return unexpected(message) }
            query.columns = description.columns.map(\.name)
            query.rows = []
            state = .querying(query)
            return .none
        case .dataRow(let row):
            guard case .querying(var query) = state else { return unexpected(message) }
            state = .modifying
            query.rows.append(row.columns.map { $0.map { String(buffer: $0) } })
            state = .querying(query)
            return .none
        case .commandComplete(let tag):
            switch state {
            case .querying(var query):
                query.commandTag = tag
                state = .querying(query)
                return .none
            case .stoppingReplication:
                return .none
            case .modifying: preconditionFailure("the state is being modified")
            case .initial, .authenticating, .startingUp, .idle, .startingReplication, .streaming, .closed:
                return unexpected(message)
            }
        case .emptyQueryResponse:
            guard case .querying = state else { return unexpected(message) }
            return .none
        case .copyBothResponse:
            guard case .startingReplication(error: nil) = state else { return unexpected(message) }
            state = .streaming(StreamState())
            return .replicationStarted
        case .copyData(let data):
            switch state {
            case .streaming(var stream):
                state = .modifying
                let action = Self.copyDataReceived(data, stream: &stream, now: now)
                if case .fail = action { state = .closed } else { state = .streaming(stream) }
                return action
            case .stoppingReplication:
                return .none
            case .modifying: preconditionFailure("the state is being modified")
            case .initial, .authenticating, .startingUp, .idle, .querying, .startingReplication, .closed:
                return unexpected(message)
            }
        case .copyDone:
            switch state {
            case .streaming:
                // The server ended the stream on its own; finish our half too, then wait for ReadyForQuery.
                state = .stoppingReplication
                return .send(.copyDone)
            case .stoppingReplication:
                return .none
            case .modifying: preconditionFailure("the state is being modified")
            case .initial, .authenticating, .startingUp, .idle, .querying, .startingReplication, .closed:
                return unexpected(message)
            }
        }
    }

    private mutating func authenticationReceived(_ request: Authentication) -> ReceiveAction {
        guard case .authenticating(var scram) = state else { return unexpected(.authentication(request)) }
        switch request {
        case .ok:
            state = .startingUp
            return .none
        case .cleartextPassword:
            guard let password else { return fail(.passwordRequired) }
            return .send(.password(password))
        case .md5Password(let salt):
            guard let password else { return fail(.passwordRequired) }
            return .send(.password(MD5Password.response(username: username, password: password, salt: salt)))
        case .sasl(let mechanisms):
            guard mechanisms.contains(SCRAMSHA256.mechanism) else {
                return fail(.unsupportedAuthentication("SASL \(mechanisms.joined(separator: ", "))"))
            }
            guard let password else { return fail(.passwordRequired) }
            let exchange = SCRAMSHA256(username: "", password: password, clientNonce: clientNonce)
            state = .authenticating(exchange)
            return .send(.saslInitialResponse(mechanism: SCRAMSHA256.mechanism, data: exchange.clientFirstMessage))
        case .saslContinue(let data):
            guard scram != nil else { return unexpected(.authentication(request)) }
            do {
                let response = try scram!.receiveServerFirst(Array(data.readableBytesView))
                state = .authenticating(scram)
                return .send(.saslResponse(response))
            } catch {
                return fail(error)
            }
        case .saslFinal(let data):
            guard scram != nil else { return unexpected(.authentication(request)) }
            do {
                try scram!.receiveServerFinal(Array(data.readableBytesView))
                state = .authenticating(scram)
                return .none
            } catch {
                return fail(error)
            }
        case .unsupported(let code):
            return fail(.unsupportedAuthentication("authentication request \(code)"))
        }
    }

    private mutating func errorReceived(_ error: PostgresServerError) -> ReceiveAction {
        switch state {
        case .querying(var query):
            query.error = error
            state = .querying(query)
            return .none
        case .startingReplication:
            state = .startingReplication(error: error)
            return .none
        case .modifying: preconditionFailure("the state is being modified")
        case .initial, .authenticating, .startingUp, .idle, .streaming, .stoppingReplication, .closed:
            return fail(.server(error))
        }
    }

    private mutating func readyForQueryReceived() -> ReceiveAction {
        switch state {
        case .startingUp:
            state = .idle
            return .connected
        case .querying(let query):
            state = .idle
            if let error = query.error { return .commandFailed(error) }
            return .queryCompleted(SimpleQueryResult(columns: query.columns, rows: query.rows, commandTag: query.commandTag))
        case .startingReplication(let error):
            state = .idle
            guard let error else { return fail(.protocolViolation("START_REPLICATION ended without CopyBothResponse")) }
            return .commandFailed(error)
        case .stoppingReplication:
            state = .idle
            return .replicationStopped
        case .modifying: preconditionFailure("the state is being modified")
        case .initial, .authenticating, .idle, .streaming, .closed:
            return unexpected(.readyForQuery(.idle))
        }
    }

    private static func copyDataReceived(_ data: ByteBuffer, stream: inout StreamState, now: ReplicationTimestamp) -> ReceiveAction {
        let message: ReplicationCopyMessage
        do {
            message = try ReplicationCopyMessage.decode(from: data)
        } catch {
            return .fail(.decoding(error))
        }
        switch message {
        case .primaryKeepalive(let keepalive):
            stream.received = max(stream.received, keepalive.serverWALEnd)
            // A logical walsender's keepalive carries how far its decoding went. With no transaction half-read and
            // nothing awaiting confirmation, the slot may move there: an idle stream does not hold WAL back, and
            // a server shutting down, which waits until the standby flushed all it sent, is not held forever.
            if stream.transaction == nil { _ = stream.tracker.caughtUp(to: keepalive.serverWALEnd) }
            return keepalive.replyRequested ? .send(.standbyStatusUpdate(status(of: stream, now: now))) : .none
        case .xLogData(let xLogData):
            stream.received = max(stream.received, xLogData.walStart)
            let pgOutput: PgOutputMessage
            do {
                pgOutput = try PgOutputMessage.decode(from: xLogData.data)
            } catch {
                return .fail(.decoding(error))
            }
            do {
                return try pgOutputReceived(pgOutput, stream: &stream)
            } catch {
                return .fail(error)
            }
        }
    }

    private static func pgOutputReceived(_ message: PgOutputMessage, stream: inout StreamState) throws(ReplicationError) -> ReceiveAction {
        switch message {
        case .begin(let begin):
            guard stream.transaction == nil else { throw .protocolViolation("Begin inside a transaction") }
            stream.transaction = ReplicationTransaction(
                xid: begin.xid, commitLSN: begin.finalLSN, endLSN: .zero, commitTime: begin.commitTime, changes: []
            )
            return .none
        case .relation(let relation):
            stream.relations[relation.oid] = ReplicationRelation(relation)
            return .none
        case .insert(let insert):
            guard stream.transaction != nil else { throw .protocolViolation("Insert outside a transaction") }
            guard let relation = stream.relations[insert.relationOID] else {
                throw .protocolViolation("Insert into relation \(insert.relationOID) before its Relation message")
            }
            guard insert.tuple.values.count == relation.columns.count else {
                throw .protocolViolation("Insert into \(relation.name) has \(insert.tuple.values.count) values for \(relation.columns.count) columns")
            }
            stream.transaction!.changes.append(.insert(ReplicationInsert(relation: relation, values: insert.tuple.values.map(ReplicationValue.init))))
            return .none
        case .logicalMessage(let message):
            if message.transactional {
                guard stream.transaction != nil else { throw .protocolViolation("transactional Message outside a transaction") }
                stream.transaction!.changes.append(.message(message))
                return .none
            }
            stream.tracker.delivered(message.position)
            return .deliver(.message(message))
        case .commit(let commit):
            guard var transaction = stream.transaction else { throw .protocolViolation("Commit outside a transaction") }
            stream.transaction = nil
            // pgoutput leaves out transactions that touched no published table; one that still arrives empty has
            // nothing for the consumer.
            guard !transaction.changes.isEmpty else { return .none }
            transaction.commitLSN = commit.commitLSN
            transaction.endLSN = commit.endLSN
            transaction.commitTime = commit.commitTime
            stream.tracker.delivered(transaction.position)
            return .deliver(.transaction(transaction))
        case .skipped:
            return .none
        }
    }

    /// Written is what arrived; flushed and applied are what the consumer confirmed (see ``ConfirmationTracker``).
    private static func status(of stream: StreamState, now: ReplicationTimestamp) -> StandbyStatusUpdate {
        StandbyStatusUpdate(
            written: max(stream.received, stream.tracker.flushed),
            flushed: stream.tracker.flushed,
            applied: stream.tracker.flushed,
            clientTime: now,
            replyRequested: false
        )
    }

    private mutating func fail(_ error: ReplicationError) -> ReceiveAction {
        state = .closed
        return .fail(error)
    }

    private mutating func unexpected(_ message: ReplicationBackendMessage) -> ReceiveAction {
        fail(.protocolViolation("unexpected \(message.name) in state \(stateName)"))
    }

    private var stateName: String {
        switch state {
        case .initial: "initial"
        case .authenticating: "authenticating"
        case .startingUp: "startingUp"
        case .idle: "idle"
        case .querying: "querying"
        case .startingReplication: "startingReplication"
        case .streaming: "streaming"
        case .stoppingReplication: "stoppingReplication"
        case .closed: "closed"
        case .modifying: "modifying"
        }
    }
}
