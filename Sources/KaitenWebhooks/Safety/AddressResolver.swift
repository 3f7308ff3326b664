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
    var lookUp: HostLookUp = .system

    enum Failure: Error, CustomStringConvertible {
        case unresolvable(host: String, reason: String)
        case forbidden(host: String, address: IPAddress, range: String)
        /// Refused before any lookup: a non-public literal in any spelling, a zone identifier, a loopback name.
        case refused(host: String, reason: String)

        var description: String {
            switch self {
            case .unresolvable(let host, let reason): "could not resolve \(host): \(reason)"
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
            addresses = try await lookUp.addresses(host)
        }
        guard let chosen = addresses.first(where: { if case .v4 = $0 { true } else { false } }) ?? addresses.first else {
            throw Failure.unresolvable(host: host, reason: "no address")
        }
        if !allowPrivate {
            for address in addresses {
                if let range = address.nonPublicRange { throw Failure.forbidden(host: host, address: address, range: range) }
            }
        }
        return chosen
    }
}

/// How a host name becomes the addresses DNS answers: the system's resolver, unless a test stands in a DNS it
/// controls.
package struct HostLookUp: Sendable {
    package let addresses: @Sendable (String) async throws -> [IPAddress]

    package init(_ addresses: @escaping @Sendable (String) async throws -> [IPAddress]) {
        self.addresses = addresses
    }

    /// getaddrinfo, which blocks, on NIO's thread pool.
    package static let system = HostLookUp { host in try await NIOThreadPool.singleton.runIfActive { try getAddressInfo(host) } }

    private static func getAddressInfo(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0, let first = result else {
            throw AddressResolver.Failure.unresolvable(host: host, reason: status == 0 ? "no address" : String(cString: gai_strerror(status)))
        }
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
