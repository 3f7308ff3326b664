import Foundation

/// The `format` values this server asserts, with the grammar each one names (RFC 3339, RFC 5321, RFC 3986,
/// RFC 4122, RFC 1123, RFC 4291).
enum JSONFormat: String, Sendable {
    case dateTime = "date-time"
    case date
    case time
    case email
    case uri
    case uuid
    case hostname
    case ipv4
    case ipv6

    func accepts(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        switch self {
        case .dateTime: return Self.isDateTime(scalars)
        case .date: return Self.isDate(scalars[...])
        case .time: return Self.isTime(scalars[...])
        case .email: return Self.isEmail(scalars)
        case .uri: return Self.isURI(scalars)
        case .uuid: return Self.isUUID(scalars)
        case .hostname: return Self.isHostname(scalars[...])
        case .ipv4: return Self.isIPv4(scalars[...])
        case .ipv6: return Self.isIPv6(scalars[...])
        }
    }

    // MARK: RFC 3339

    private static func isDateTime(_ scalars: [Unicode.Scalar]) -> Bool {
        guard scalars.count > 11, scalars[10] == "T" || scalars[10] == "t" else { return false }
        return isDate(scalars[..<10]) && isTime(scalars[11...])
    }

    /// `full-date`: the day must exist in its month.
    private static func isDate(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        let text = Array(scalars)
        guard text.count == 10, text[4] == "-", text[7] == "-",
            let year = digits(text[0..<4]), let month = digits(text[5..<7]), let day = digits(text[8..<10]),
            (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// `full-time`: `hh:mm:ss[.frac](Z|±hh:mm)`. A leap second (`:60`) is only valid at 23:59 UTC.
    private static func isTime(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        let text = Array(scalars)
        guard text.count >= 9, text[2] == ":", text[5] == ":",
            let hour = digits(text[0..<2]), let minute = digits(text[3..<5]), let second = digits(text[6..<8]),
            hour < 24, minute < 60, second <= 60
        else { return false }
        var index = 8
        if text[index] == "." {
            index += 1
            let start = index
            while index < text.count, isDigit(text[index]) { index += 1 }
            guard index > start else { return false }
        }
        guard index < text.count else { return false }
        var offsetMinutes = 0
        switch text[index] {
        case "Z", "z":
            guard index + 1 == text.count else { return false }
        case "+", "-":
            guard text.count - index == 6, text[index + 3] == ":",
                let offsetHour = digits(text[(index + 1)..<(index + 3)]), let offsetMinute = digits(text[(index + 4)..<(index + 6)]),
                offsetHour < 24, offsetMinute < 60
            else { return false }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (text[index] == "-" ? -1 : 1)
        default:
            return false
        }
        if second == 60 {
            let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    // MARK: RFC 5321 / 1123

    /// `local-part@domain`: a dot-atom or quoted local part of at most 64 octets, and a host name or an
    /// address literal.
    private static func isEmail(_ scalars: [Unicode.Scalar]) -> Bool {
        guard let at = scalars.lastIndex(of: "@"), at > 0, at < scalars.count - 1 else { return false }
        let local = scalars[..<at]
        let domain = scalars[(at + 1)...]
        guard String(String.UnicodeScalarView(local)).utf8.count <= 64 else { return false }
        if local.first == "\"" {
            guard local.count >= 2, local.last == "\"" else { return false }
            var escaped = false
            for scalar in local.dropFirst().dropLast() {
                if escaped {
                    escaped = false
                } else if scalar == "\\" {
                    escaped = true
                } else if scalar == "\"" || scalar.value < 32 {
                    return false
                }
            }
            if escaped { return false }
        } else {
            let atomSpecials = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)
            guard local.first != ".", local.last != "." else { return false }
            var previousWasDot = false
            for scalar in local {
                if scalar == "." {
                    if previousWasDot { return false }
                    previousWasDot = true
                    continue
                }
                previousWasDot = false
                guard isAlphanumeric(scalar) || atomSpecials.contains(scalar) || scalar.value > 127 else { return false }
            }
        }
        if domain.first == "[" {
            guard domain.last == "]" else { return false }
            let literal = domain.dropFirst().dropLast()
            let prefix = Array("IPv6:".unicodeScalars)
            if literal.starts(with: prefix) { return isIPv6(literal.dropFirst(prefix.count)) }
            return isIPv4(literal)
        }
        return isHostname(domain)
    }

    private static func isHostname(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        var text = Array(scalars)
        if text.last == "." { text.removeLast() }
        guard !text.isEmpty, text.count <= 253 else { return false }
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count), label.first != "-", label.last != "-",
                label.allSatisfy({ isAlphanumeric($0) || $0 == "-" })
            else { return false }
        }
        return true
    }

    // MARK: IP addresses

    private static func isIPv4(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        let parts = scalars.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                guard (1...3).contains(part.count), let value = digits(part) else { return false }
                return value <= 255 && (part.count == 1 || part.first != "0")
            }
    }

    private static func isIPv6(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        var text = Array(scalars)
        if let lastColon = text.lastIndex(of: ":"), text[(lastColon + 1)...].contains(".") {
            guard isIPv4(text[(lastColon + 1)...]) else { return false }
            // The dotted quad stands for the last two groups.
            text = Array(text[...lastColon]) + Array("0:0".unicodeScalars)
        }
        let string = String(String.UnicodeScalarView(text))
        let halves = string.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ part: String) -> [Substring]? {
            if part.isEmpty { return [] }
            let groups = part.split(separator: ":", omittingEmptySubsequences: false)
            guard groups.allSatisfy({ (1...4).contains($0.count) && $0.unicodeScalars.allSatisfy(isHexDigit) }) else { return nil }
            return groups
        }
        guard let head = groups(halves[0]) else { return false }
        if halves.count == 2 {
            guard let tail = groups(halves[1]) else { return false }
            return head.count + tail.count <= 7
        }
        return head.count == 8
    }

    // MARK: RFC 3986

    /// An absolute URI: a scheme, then only characters a URI may contain, with well-formed percent escapes
    /// and, when there is an authority, a numeric port.
    private static func isURI(_ scalars: [Unicode.Scalar]) -> Bool {
        guard let colon = scalars.firstIndex(of: ":"), colon > 0, isLetter(scalars[0]),
            scalars[1..<colon].allSatisfy({ isAlphanumeric($0) || $0 == "+" || $0 == "-" || $0 == "." })
        else { return false }
        let allowed = Set("-._~:/?#[]@!$&'()*+,;=".unicodeScalars)
        var index = colon + 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "%" {
                guard index + 2 < scalars.count, isHexDigit(scalars[index + 1]), isHexDigit(scalars[index + 2]) else { return false }
                index += 3
                continue
            }
            guard isAlphanumeric(scalar) || allowed.contains(scalar) else { return false }
            index += 1
        }
        let rest = scalars[(colon + 1)...]
        guard rest.starts(with: ["/", "/"]) else { return true }
        let authority = rest.dropFirst(2).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).last ?? authority[...]
        if host.first == "[" {
            guard let close = host.firstIndex(of: "]") else { return false }
            let after = host[(close + 1)...]
            return after.isEmpty || (after.first == ":" && after.dropFirst().allSatisfy(isDigit))
        }
        guard !host.contains("[") && !host.contains("]") else { return false }
        if let portColon = host.firstIndex(of: ":") {
            return host[(portColon + 1)...].allSatisfy(isDigit)
        }
        return true
    }

    // MARK: RFC 4122

    private static func isUUID(_ scalars: [Unicode.Scalar]) -> Bool {
        guard scalars.count == 36 else { return false }
        for (index, scalar) in scalars.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard scalar == "-" else { return false }
            } else if !isHexDigit(scalar) {
                return false
            }
        }
        return true
    }

    // MARK: Characters

    private static func digits(_ scalars: some Collection<Unicode.Scalar>) -> Int? {
        guard !scalars.isEmpty, scalars.allSatisfy(isDigit) else { return nil }
        return scalars.reduce(0) { $0 * 10 + Int($1.value - 48) }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool { isDigit(scalar) || isLetter(scalar) }
    private static func isHexDigit(_ scalar: Unicode.Scalar) -> Bool {
        isDigit(scalar) || ("a"..."f").contains(scalar) || ("A"..."F").contains(scalar)
    }
}
