import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves an endpoint's host to the address a delivery will connect to, refusing non-public ones.
///
/// The delivery then connects to exactly this address (``PinnedHTTPClients``), so a DNS answer that changes
/// between the check and the connection (DNS rebinding) cannot redirect it.
struct AddressResolver: Sendable {
    let allowPrivate: Bool

    enum Failure: Error, CustomStringConvertible {
        case unresolvable(String)
        case forbidden(host: String, address: IPAddress, range: String)
        /// Refused before any lookup: a non-public literal in any spelling, a zone identifier, a loopback name.
        case refused(host: String, reason: String)

        var description: String {
            switch self {
            case .unresolvable(let host): "could not resolve \(host)"
            case .forbidden(let host, let address, let range): "refused to deliver to \(host): \(address) is a \(range) address"
            case .refused(let host, let reason): "refused to deliver to \(host): \(reason)"
            }
        }
    }

    /// The address to connect to: the host itself when it is a literal, else the first IPv4 answer (or the
    /// first answer). Every answer must be public, so a name cannot smuggle a private address in second place.
    func resolve(_ host: String) async throws -> IPAddress {
        if !allowPrivate, let reason = WebhookURL.nonPublicReason(host: host) {
            throw Failure.refused(host: host, reason: reason)
        }
        let addresses: [IPAddress]
        if let literal = IPAddress(host: WebhookURL.withoutRootDot(host)) {
            addresses = [literal]
        } else {
            addresses = try await NIOThreadPool.singleton.runIfActive { try Self.lookUp(host) }
        }
        guard let chosen = addresses.first(where: { if case .v4 = $0 { true } else { false } }) ?? addresses.first else {
            throw Failure.unresolvable(host)
        }
        if !allowPrivate {
            for address in addresses {
                if let range = address.nonPublicRange { throw Failure.forbidden(host: host, address: address, range: range) }
            }
        }
        return chosen
    }

    /// A blocking getaddrinfo, run on the thread pool.
    private static func lookUp(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { throw Failure.unresolvable(host) }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let socketAddress = entry.pointee.ai_addr {
                switch Int32(socketAddress.pointee.sa_family) {
                case AF_INET:
                    let bytes = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                    }
                    addresses.append(.v4(bytes))
                case AF_INET6:
                    let bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                    addresses.append(.v6(bytes))
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        var unique: [IPAddress] = []
        for address in addresses where !unique.contains(address) { unique.append(address) }
        return unique
    }
}
