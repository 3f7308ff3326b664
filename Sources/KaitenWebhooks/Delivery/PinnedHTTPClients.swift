import AsyncHTTPClient
import Foundation
import KaitenCore
import Logging
import NIOCore
import NIOPosix

/// One HTTP client per endpoint, connecting only to the address that was checked for it.
///
/// async-http-client resolves host names itself; its `dnsOverride` makes a client connect to a given address
/// while still sending the endpoint's host name (Host header, TLS SNI and certificate validation). Each
/// client is pinned to the address ``AddressResolver`` vetted, and replaced when the answer changes, so the
/// connection goes where the check looked. A client per endpoint also keeps a keep-alive connection to each
/// receiver between deliveries.
actor PinnedHTTPClients {
    private struct Entry {
        let pinnedAddress: String
        let client: HTTPClient
        var lastUsed: ContinuousClock.Instant
    }

    private let timeout: Duration
    private let capacity: Int
    private let logger: Logger
    private var entries: [UUID: Entry] = [:]

    init(timeout: Duration, capacity: Int, logger: Logger) {
        self.timeout = timeout
        self.capacity = capacity
        self.logger = logger
    }

    func client(for endpoint: UUID, host: String, address: IPAddress) -> HTTPClient {
        let pinned = address.description
        if var entry = entries[endpoint], entry.pinnedAddress == pinned {
            entry.lastUsed = .now
            entries[endpoint] = entry
            return entry.client
        }
        if let stale = entries.removeValue(forKey: endpoint) { retire(stale.client) }
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            entries.removeValue(forKey: oldest.key)
            retire(oldest.value.client)
        }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(Int64(timeout.seconds * 1e9))),
            decompression: .disabled
        )
        if IPAddress(host) == nil { configuration.dnsOverride = [host: pinned] }
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration, backgroundActivityLogger: logger)
        entries[endpoint] = Entry(pinnedAddress: pinned, client: client, lastUsed: .now)
        return client
    }

    func shutdown() async {
        let clients = entries.values.map(\.client)
        entries.removeAll()
        for client in clients { try? await client.shutdown() }
    }

    private func retire(_ client: HTTPClient) {
        Task { try? await client.shutdown() }
    }
}
