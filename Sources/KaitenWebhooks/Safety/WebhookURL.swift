import Foundation

/// An endpoint URL that passed the checks made when it is stored: absolute http(s), a host, and, unless
/// private destinations are allowed, no literal non-public address or `localhost` name.
///
/// Host names are checked again at every attempt, after resolution (``AddressResolver``), since DNS can
/// point anywhere later.
public struct WebhookURL: Sendable, Equatable {
    public static let maximumLength = 2048

    public enum Problem: Error, Equatable, Sendable {
        case malformed(String)
        case forbiddenDestination(String)
    }

    public let text: String
    public let scheme: String
    public let host: String
    public let port: Int

    public static func parse(_ text: String, allowPrivate: Bool) -> Result<WebhookURL, Problem> {
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
        if !allowPrivate {
            if let address = IPAddress(host) {
                if let range = address.nonPublicRange {
                    return .failure(.forbiddenDestination("\(address) is a \(range) address"))
                }
            } else if host == "localhost" || host.hasSuffix(".localhost") {
                return .failure(.forbiddenDestination("\(host) is a loopback name"))
            }
        }
        return .success(WebhookURL(text: text, scheme: scheme, host: host, port: port))
    }
}
