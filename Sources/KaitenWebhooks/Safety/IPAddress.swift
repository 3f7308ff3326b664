#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, as bytes, with the ranges webhooks must never reach.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses a literal (`192.0.2.1`, `2001:db8::1`, with or without URL brackets); nil for anything else.
    public init?(_ literal: String) {
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

    public var description: String {
        switch self {
        case .v4(let bytes): return bytes.map(String.init).joined(separator: ".")
        case .v6(let bytes):
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            _ = inet_ntop(AF_INET6, bytes, &buffer, socklen_t(buffer.count))
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Why a webhook may not be sent here unless private destinations are allowed; nil for a public address.
    public var nonPublicRange: String? {
        switch self {
        case .v4(let b):
            switch (b[0], b[1]) {
            case (0, _): return "unspecified"
            case (10, _), (172, 16...31), (192, 168): return "private"
            case (100, 64...127): return "shared (carrier-grade NAT)"
            case (127, _): return "loopback"
            case (169, 254): return "link-local"
            case (192, 0) where b[2] == 0: return "IETF protocol assignments"
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
            if b[0] == 0xfe && (b[1] & 0xc0) == 0x80 { return "link-local" }
            if b[0] == 0xfe && (b[1] & 0xc0) == 0xc0 { return "site-local" }
            if (b[0] & 0xfe) == 0xfc { return "unique-local" }
            if b[0] == 0xff { return "multicast" }
            return nil
        }
    }
}
