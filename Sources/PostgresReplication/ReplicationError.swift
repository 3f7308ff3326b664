import PostgresReplicationProtocol

/// An ErrorResponse from the server.
package struct PostgresServerError: Error, Hashable, Sendable, CustomStringConvertible {
    package var response: ErrorResponse

    package init(_ response: ErrorResponse) {
        self.response = response
    }

    /// The five-character SQLSTATE, e.g. `42710` (duplicate_object) or `28P01` (invalid_password).
    package var sqlState: String { response[.sqlState] ?? "" }
    package var message: String { response[.message] ?? "" }
    /// ERROR, FATAL or PANIC.
    package var severity: String { response[.severity] ?? "" }
    package var detail: String? { response[.detail] }

    package var description: String {
        "\(severity) \(sqlState): \(message)" + (detail.map { " (\($0))" } ?? "")
    }
}

/// Why a replication connection or one of its commands failed.
package enum ReplicationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server refused: a failed command leaves the connection usable, a FATAL error closes it.
    case server(PostgresServerError)
    /// The server asked for an authentication method this client does not speak.
    case unsupportedAuthentication(String)
    /// The server asked for a password and the configuration has none.
    case passwordRequired
    /// The SCRAM exchange went wrong on the server's side (bad nonce, bad signature, malformed message).
    case authenticationFailed(String)
    /// The server sent something that does not fit the conversation.
    case protocolViolation(String)
    case decoding(ReplicationDecodingError)
    case connectionClosed
    /// A command that the connection cannot run in its current state (a query while streaming, say).
    case invalidState(String)
    /// A slot or publication name PostgreSQL would not accept, or an existing slot that is not what was asked for.
    case invalidSlot(String)

    package var description: String {
        switch self {
        case .server(let error): "server error: \(error)"
        case .unsupportedAuthentication(let method): "unsupported authentication method: \(method)"
        case .passwordRequired: "the server asks for a password and none is configured"
        case .authenticationFailed(let reason): "authentication failed: \(reason)"
        case .protocolViolation(let reason): "protocol violation: \(reason)"
        case .decoding(let error): "\(error)"
        case .connectionClosed: "the connection closed"
        case .invalidState(let reason): "invalid state: \(reason)"
        case .invalidSlot(let reason): "invalid replication slot: \(reason)"
        }
    }
}
