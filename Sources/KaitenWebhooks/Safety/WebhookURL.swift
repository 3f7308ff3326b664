import Foundation

/// An endpoint URL that passed the checks made when it is stored: absolute http(s), a host, and, unless
/// private destinations are allowed, no literal non-public address (in any spelling a resolver accepts:
/// `2130706433`, `0x7f.1`, `[::ffff:7f00:1]`), no IPv6 zone identifier and no `localhost` name (with or
/// without a trailing dot).
///
/// Host names are checked again at every attempt, after resolution (``AddressResolver``), since DNS can
/// point anywhere later.
package struct WebhookURL: Sendable, Equatable {
    package static let maximumLength = 2048

    package enum Problem: Error, Equatable, Sendable {
        case malformed(String)
        case forbiddenDestination(String)
    }

    package let text: String
    package let scheme: String
    package let host: String
    package let port: Int

    package static func parse(_ text: String, allowPrivate: Bool) -> Result<WebhookURL, Problem> {
        guard text.count <= maximumLength else { return .failure(.malformed("the URL is longer than \(maximumLength) characters")) }
        guard !text.contains(where: { $0.isWhitespace }), let components = URLComponents(string: text) else {
            return .failure(.malformed("the URL is not a valid absolute URL"))
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return .failure(.malformed("only http and https URLs can receive webhooks"))
        }
        guard let rawHost = components.host, !rawHost.isEmpty else { return .failure(.malformed("the URL has no host")) }
        guard components.user == nil, components.password == nil else {
            return .failure(.malformed("credentials in the URL are not supported; put them in the path or query"))
        }
        guard components.fragment == nil else { return .failure(.malformed("the URL must not have a fragment")) }
        let host = rawHost.lowercased()
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { return .failure(.malformed("the port is out of range")) }
        let encodedHost = components.percentEncodedHost ?? rawHost
        let isIPv6Literal = encodedHost.hasPrefix("[") || host.contains(":")
        if encodedHost.contains("%"), !isIPv6Literal {
            // A percent-encoded name decodes to something other than what it looks like.
            return .failure(.malformed("the host must not be percent-encoded"))
        }
        let name = Self.withoutRootDot(host)
        guard !name.isEmpty, !name.hasSuffix("."), !name.hasPrefix("."), !name.contains("..") else {
            return .failure(.malformed("the host has an empty label"))
        }
        if !isIPv6Literal, IPAddress.lenientIPv4(name) == .invalid {
            return .failure(.malformed("the host ends in a number but is not an IPv4 address"))
        }
        if !allowPrivate, let reason = nonPublicReason(host: host) {
            return .failure(.forbiddenDestination(reason))
        }
        return .success(WebhookURL(text: text, scheme: scheme, host: host, port: port))
    }

    /// Why webhooks may not go to `host` unless private destinations are allowed, judged without DNS; nil when
    /// only resolution can tell. The host as a URL gives it (IPv6 in brackets or not, any case, with or without
    /// the root's trailing dot).
    static func nonPublicReason(host: String) -> String? {
        let name = withoutRootDot(host.lowercased())
        if name.contains("%") {
            // fe80::1%eth0, ::1%lo: only interface-local (link-local, loopback) destinations take a zone.
            return "\(name.replacingOccurrences(of: "%25", with: "%")) has a zone identifier, which only link-local and loopback addresses take"
        }
        if let address = IPAddress(host: name) {
            return address.nonPublicRange.map { "\(address) is a \($0) address" }
        }
        let firstLabel = name.split(separator: ".").first.map(String.init) ?? name
        if name == "localhost" || name.hasSuffix(".localhost") || loopbackLabels.contains(firstLabel) || name.hasSuffix(".localdomain")
            || name == "localdomain"
        {
            return "\(name) is a loopback name"
        }
        return nil
    }

    /// The names /etc/hosts and RFC 6761 give the loopback interface, as a name's first label.
    private static let loopbackLabels: Set<String> = ["localhost", "localhost6", "ip6-localhost", "ip6-loopback"]

    /// `example.com.` is `example.com`: one trailing dot names the DNS root and changes nothing.
    static func withoutRootDot(_ host: String) -> String {
        host.hasSuffix(".") ? String(host.dropLast()) : host
    }
}
