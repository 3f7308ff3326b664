import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Ports on 127.0.0.1 for servers a process starts for itself.
///
/// A server of this process binds port 0 and reads the port it got (`onServerRunning` in Hummingbird): nothing
/// to reserve. An external server (PostgreSQL, RabbitMQ) needs its port number before it starts, and a port
/// found free by binding port 0 and closing the socket is free only for that moment: a test process probing at
/// the same time can be handed the same number once it is closed, and the second server to start fails to bind.
package enum LoopbackPort {
    /// A port nothing listens on, reserved for this process against every other process that reserves ports here.
    ///
    /// The kernel picks the port (a bind to port 0); it is then claimed with an exclusive `flock` on a file named
    /// after it, held for the rest of this process's life, so two concurrent processes never start servers on one
    /// port, and a process's claims end with it, even by `kill -9`. A port the kernel hands to a process that does not
    /// claim (an outgoing connection's local port) can still take it before the server binds: the server then fails
    /// to start with "address in use", and its starter tries again on another port (``isAddressInUse(_:)``).
    package static func free() throws -> Int {
        for _ in 0..<64 {
            let port = try probe()
            if try claim(port) { return port }
        }
        throw ChannelError.unknownLocalAddress
    }

    /// Whether a server's start-up log says its port was taken.
    package static func isAddressInUse(_ log: String) -> Bool {
        ["Address already in use", "eaddrinuse"].contains { log.localizedCaseInsensitiveContains($0) }
    }

    private static func probe() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        return port
    }

    /// The claim files' descriptors, open (and locked) until the process exits.
    private static let claims = Mutex<[Int32]>([])

    private static let directory: URL = {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("kaiten-loopback-ports")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Test processes of different users (root and the `postgres` run account's caller) share the claims.
        chmod(directory.path, 0o1777)
        return directory
    }()

    /// Claims `port` for this process; false when another live process holds it.
    private static func claim(_ port: Int) throws -> Bool {
        let path = directory.appendingPathComponent("\(port)").path
        let descriptor = open(path, O_CREAT | O_RDONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return false
        }
        claims.withLock { $0.append(descriptor) }
        return true
    }
}
