/// Where and how to open a logical replication connection.
package struct ReplicationConfiguration: Sendable {
    package var host: String
    package var port: Int
    package var username: String
    /// Needed for cleartext, MD5 and SCRAM-SHA-256 authentication; nil for trust.
    package var password: String?
    package var database: String
    /// Shown in `pg_stat_replication.application_name`.
    package var applicationName: String
    /// How often a standby status update is sent while streaming, confirmed or not; it keeps the connection
    /// inside the server's `wal_sender_timeout` (60 s by default) even while the consumer is busy.
    package var statusInterval: Duration
    package var connectTimeout: Duration

    package init(
        host: String,
        port: Int = 5432,
        username: String,
        password: String? = nil,
        database: String,
        applicationName: String = "kaiten-relay",
        statusInterval: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.applicationName = applicationName
        self.statusInterval = statusInterval
        self.connectTimeout = connectTimeout
    }
}
