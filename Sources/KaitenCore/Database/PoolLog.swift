import Logging

/// The connection pool's background log as an operator should read it.
///
/// While PostgreSQL is out of reach the pool logs each failed attempt to connect (ten in the first few seconds,
/// then one every backoff); those become one outage in the database's availability log, a warning as it begins
/// and a line as it ends (the next statement that works ends it, ``Database/withConnection(_:)``). The pool's
/// warning that a connection was leased before its `run()` began is dropped: every process leases beside the task
/// that runs the pool, and a lease made first waits for it. Everything else passes through to the process's log
/// unchanged.
struct PoolLog: LogHandler {
    private var process: Logger
    private let availability: OutageLog

    /// A logger for `PostgresClient`'s `backgroundLogger`.
    static func logger(forwardingTo process: Logger, availability: OutageLog) -> Logger {
        var logger = Logger(label: process.label) { _ in PoolLog(process: process, availability: availability) }
        logger.logLevel = process.logLevel
        return logger
    }

    private init(process: Logger, availability: OutageLog) {
        self.process = process
        self.availability = availability
    }

    var logLevel: Logger.Level {
        get { process.logLevel }
        set { process.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { process.handler.metadata }
        set { process.handler.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { process[metadataKey: key] }
        set { process[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        let message = event.message.description
        if message == "Connection creation failed" {
            availability.failed(because: event.metadata?["psql_error"]?.description ?? "the connection attempt failed")
        } else if !message.hasPrefix("Trying to lease connection from `PostgresClient`, but `PostgresClient.run()` hasn't been called yet") {
            process.handler.log(event: event)
        }
    }
}
