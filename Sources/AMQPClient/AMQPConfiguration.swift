/// Where and how to connect.
package struct AMQPConfiguration: Sendable {
    package var host: String
    package var port: Int
    package var username: String
    package var password: String
    package var virtualHost: String
    /// Requested heartbeat interval in seconds; 0 asks for none. The smaller non-zero value of the client's
    /// and the broker's wins.
    package var heartbeat: UInt16
    /// Requested largest frame; the smaller of the client's and the broker's wins.
    package var frameMax: UInt32
    /// Requested highest channel number; the smaller non-zero value wins.
    package var channelMax: UInt16
    package var connectTimeout: Duration
    /// Shown in the broker's management UI and logs.
    package var connectionName: String

    package init(
        host: String = "127.0.0.1", port: Int = 5672, username: String = "guest", password: String = "guest",
        virtualHost: String = "/", heartbeat: UInt16 = 60, frameMax: UInt32 = 131_072, channelMax: UInt16 = 2047,
        connectTimeout: Duration = .seconds(10), connectionName: String = "kaiten"
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.virtualHost = virtualHost
        self.heartbeat = heartbeat
        self.frameMax = frameMax
        self.channelMax = channelMax
        self.connectTimeout = connectTimeout
        self.connectionName = connectionName
    }
}
