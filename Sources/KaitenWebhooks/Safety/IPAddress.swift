#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address, as bytes, with the ranges webhooks must never reach.
package enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses a literal (`192.0.2.1`, `2001:db8::1`, with or without URL brackets); nil for anything else.
    package init?(_ literal: String) {
        var text = literal
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(v4)
            return
        }
        var v6 = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self = .v6(v6)
            return
        }
        return nil
    }

    /// Parses a URL host the way browsers and resolvers read it (WHATWG URL §3.5, `inet_aton`): besides the
    /// literals of ``init(_:)``, IPv4 written in one to four parts, each decimal, octal (`017`) or hex (`0x7f`):
    /// `2130706433`, `0x7f.1` and `017700000001` are all 127.0.0.1. Nil for a host that is not an address.
    package init?(host: String) {
        if let literal = IPAddress(host) {
            self = literal
            return
        }
        guard case .address(let bytes) = IPAddress.lenientIPv4(host) else { return nil }
        self = .v4(bytes)
    }

    /// How a host that is not a strict literal reads as IPv4.
    package enum LenientIPv4: Equatable, Sendable {
        /// Not a number-shaped host: a name.
        case notNumeric
        /// Ends in a number, as only an IPv4 address may, but is not one (`1.2.3.999`, `0x`, `1.2.3.4.5`).
        case invalid
        case address([UInt8])
    }

    package static func lenientIPv4(_ host: String) -> LenientIPv4 {
        var parts = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count > 1, parts.last == "" { parts.removeLast() }
        guard let last = parts.last, isNumberShaped(last) else { return .notNumeric }
        guard (1...4).contains(parts.count) else { return .invalid }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = ipv4Number(part) else { return .invalid }
            numbers.append(number)
        }
        guard numbers.dropLast().allSatisfy({ $0 <= 255 }), numbers.last! < (UInt64(1) << (8 * (5 - numbers.count))) else { return .invalid }
        var value = numbers.last!
        for (index, number) in numbers.dropLast().enumerated() { value += number << (8 * (3 - index)) }
        return .address([UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
    }

    /// Whether a label is a number in any IPv4 notation (WHATWG "ends in a number").
    private static func isNumberShaped(_ label: String) -> Bool {
        guard !label.isEmpty else { return false }
        if label.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        let lower = label.lowercased()
        return lower.hasPrefix("0x") && lower.dropFirst(2).allSatisfy(\.isHexDigit)
    }

    /// One part: `0x…` hex (empty is 0), `0…` octal, else decimal; nil past 2³² or for a stray digit.
    private static func ipv4Number(_ part: String) -> UInt64? {
        guard !part.isEmpty, part.count <= 40 else { return nil }
        var digits = Substring(part)
        var radix = 10
        if digits.lowercased().hasPrefix("0x") {
            digits = digits.dropFirst(2)
            radix = 16
            if digits.isEmpty { return 0 }
        } else if digits.count > 1, digits.hasPrefix("0") {
            digits = digits.dropFirst()
            radix = 8
        }
        guard digits.allSatisfy(\.isASCII), let value = UInt64(digits, radix: radix), value <= UInt64(UInt32.max) else { return nil }
        return value
    }

    package var description: String {
        switch self {
        case .v4(let bytes): return bytes.map(String.init).joined(separator: ".")
        case .v6(let bytes):
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            _ = inet_ntop(AF_INET6, bytes, &buffer, socklen_t(buffer.count))
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Why a webhook may not be sent here unless private destinations are allowed; nil for a public address.
    package var nonPublicRange: String? {
        switch self {
        case .v4(let b):
            switch (b[0], b[1]) {
            case (0, _): return "unspecified"
            case (10, _), (172, 16...31), (192, 168): return "private"
            case (100, 64...127): return "shared (carrier-grade NAT)"
            case (127, _): return "loopback"
            case (169, 254): return "link-local"
            case (192, 0) where b[2] == 0: return "IETF protocol assignments"
            case (192, 0) where b[2] == 2, (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return "documentation"
            case (198, 18...19): return "benchmarking"
            case (224...239, _): return "multicast"
            case (240...255, _): return "reserved"
            default: return nil
            }
        case .v6(let b):
            if b.allSatisfy({ $0 == 0 }) { return "unspecified" }
            if b.dropLast().allSatisfy({ $0 == 0 }) && b[15] == 1 { return "loopback" }
            // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the embedded IPv4 address.
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return IPAddress.v4(Array(b[12...])).nonPublicRange }
            if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..<12].allSatisfy({ $0 == 0 }) {
                return IPAddress.v4(Array(b[12...])).nonPublicRange
            }
            // NAT64 local use (64:ff9b:1::/48) is a site's own translator.
            if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1 { return "NAT64 local-use" }
            // IPv4-compatible (::a.b.c.d, deprecated): never a public destination.
            if b[0..<12].allSatisfy({ $0 == 0 }) { return "IPv4-compatible" }
            // 6to4 (2002:aabb:ccdd::/48) carries an IPv4 address too.
            if b[0] == 0x20 && b[1] == 0x02, let range = IPAddress.v4(Array(b[2..<6])).nonPublicRange { return range }
            if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return "documentation" }
            if b[0] == 0x01 && b[1..<8].allSatisfy({ $0 == 0 }) { return "discard-only" }
            if b[0] == 0xfe && (b[1] & 0xc0) == 0x80 { return "link-local" }
            if b[0] == 0xfe && (b[1] & 0xc0) == 0xc0 { return "site-local" }
            if (b[0] & 0xfe) == 0xfc { return "unique-local" }
            if b[0] == 0xff { return "multicast" }
            return nil
        }
    }
}
