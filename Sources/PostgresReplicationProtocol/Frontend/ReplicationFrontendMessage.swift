/// Every message the client sends on a replication connection.
package enum ReplicationFrontendMessage: Hashable, Sendable, CustomStringConvertible {
    /// The startup packet; `parameters` are extra run-time parameters such as `application_name`.
    case startup(user: String, database: String, parameters: [String: String])
    case password(String)
    case saslInitialResponse(mechanism: String, data: [UInt8])
    case saslResponse([UInt8])
    case query(String)
    case standbyStatusUpdate(StandbyStatusUpdate)
    case copyDone
    case terminate

    /// Safe for logs: secrets (passwords, SASL exchanges) are left out.
    package var description: String {
        switch self {
        case .startup(let user, let database, _): "StartupMessage(user: \(user), database: \(database), replication: database)"
        case .password: "PasswordMessage"
        case .saslInitialResponse(let mechanism, _): "SASLInitialResponse(\(mechanism))"
        case .saslResponse: "SASLResponse"
        case .query(let sql): "Query(\(sql))"
        case .standbyStatusUpdate(let update):
            "StandbyStatusUpdate(written: \(update.written), flushed: \(update.flushed), applied: \(update.applied), reply: \(update.replyRequested))"
        case .copyDone: "CopyDone"
        case .terminate: "Terminate"
        }
    }
}
