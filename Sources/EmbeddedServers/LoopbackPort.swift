import NIOCore
import NIOPosix

/// Ports on 127.0.0.1 for servers a process starts for itself.
public enum LoopbackPort {
    /// A port nothing listens on right now, as the kernel picks one for a bind to port 0.
    public static func free() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        return port
    }
}
