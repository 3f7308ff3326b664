/// Where and how to connect.
public struct AMQPConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    public var virtualHost: String
    /// Requested heartbeat interval in seconds; 0 asks for none. The smaller non-zero value of the client's
    /// and the broker's wins.
    public var heartbeat: UInt16
    /// Requested largest frame; the smaller of the client's and the broker's wins.
    public var frameMax: UInt32
    /// Requested highest channel number; the smaller non-zero value wins.
    public var channelMax: UInt16
    public var connectTimeout: Duration
    /// Shown in the broker's management UI and logs.
    public var connectionName: String

    public init(
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
