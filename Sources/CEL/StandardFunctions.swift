import Foundation

// The standard operators and functions of cel-spec's `doc/langdef.md` §Standard Definitions.
// Every integer operation reports overflow as an error; nothing traps.

enum Std {
    // MARK: Arithmetic

    static func add(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw CELError.overflow }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw CELError.overflow }
            return .uint(r)
        case (.double(let x), .double(let y)): return .double(x + y)
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.bytes(let x), .bytes(let y)): return .bytes(x + y)
        case (.list(let x), .list(let y)): return .list(x + y)
        case (.timestamp(let t), .duration(let d)), (.duration(let d), .timestamp(let t)):
            return .timestamp(try addTime(t, d, sign: 1))
        case (.duration(let x), .duration(let y)):
            let (s, o) = x.seconds.addingReportingOverflow(y.seconds)
            if o { throw CELError("duration out of range") }
            return .duration(try CELDuration(seconds: s, nanos: x.nanos + y.nanos))
        default: throw CELError.noOverload("_+_", [a, b])
        }
    }

    static func addTime(_ t: CELTimestamp, _ d: CELDuration, sign: Int64) throws(CELError) -> CELTimestamp {
        let (s, o) = t.seconds.addingReportingOverflow(sign * d.seconds)
        if o { throw CELError("timestamp out of range") }
        return try CELTimestamp(seconds: s, nanos: t.nanos + Int32(sign) * d.nanos)
    }

    static func subtract(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw CELError.overflow }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw CELError.overflow }
            return .uint(r)
        case (.double(let x), .double(let y)): return .double(x - y)
        case (.timestamp(let t), .duration(let d)): return .timestamp(try addTime(t, d, sign: -1))
        case (.timestamp(let x), .timestamp(let y)):
            return .duration(try CELDuration(seconds: x.seconds - y.seconds, nanos: x.nanos - y.nanos))
        case (.duration(let x), .duration(let y)):
            let (s, o) = x.seconds.subtractingReportingOverflow(y.seconds)
            if o { throw CELError("duration out of range") }
            return .duration(try CELDuration(seconds: s, nanos: x.nanos - y.nanos))
        default: throw CELError.noOverload("_-_", [a, b])
        }
    }

    static func multiply(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw CELError.overflow }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw CELError.overflow }
            return .uint(r)
        case (.double(let x), .double(let y)): return .double(x * y)
        default: throw CELError.noOverload("_*_", [a, b])
        }
    }

    static func divide(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            if y == 0 { throw CELError.divisionByZero }
            let (r, o) = x.dividedReportingOverflow(by: y)
            if o { throw CELError.overflow }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            if y == 0 { throw CELError.divisionByZero }
            return .uint(x / y)
        case (.double(let x), .double(let y)): return .double(x / y)
        default: throw CELError.noOverload("_/_", [a, b])
        }
    }

    static func modulo(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            if y == 0 { throw CELError.moduloByZero }
            let (r, o) = x.remainderReportingOverflow(dividingBy: y)
            if o { throw CELError.overflow }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            if y == 0 { throw CELError.moduloByZero }
            return .uint(x % y)
        default: throw CELError.noOverload("_%_", [a, b])
        }
    }

    static func negate(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .int(let x):
            if x == .min { throw CELError.overflow }
            return .int(-x)
        case .double(let x): return .double(-x)
        default: throw CELError.noOverload("-_", [a])
        }
    }

    static func not(_ a: CELValue) throws(CELError) -> CELValue {
        guard case .bool(let b) = a else { throw CELError.noOverload("!_", [a]) }
        return .bool(!b)
    }

    // MARK: Comparison

    /// -1, 0 or 1; nil when unordered (NaN). Throws when the types have no ordering.
    static func order(_ a: CELValue, _ b: CELValue, _ op: String) throws(CELError) -> Int? {
        switch (a, b) {
        case (.int, .int), (.int, .uint), (.int, .double), (.uint, .int), (.uint, .uint), (.uint, .double),
            (.double, .int), (.double, .uint), (.double, .double):
            return compareNumbers(a, b)
        case (.string(let x), .string(let y)):
            return celStringEqual(x, y) ? 0 : (celStringLess(x, y) ? -1 : 1)
        case (.bytes(let x), .bytes(let y)):
            return x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.timestamp(let x), .timestamp(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.duration(let x), .duration(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        default: throw CELError.noOverload(op, [a, b])
        }
    }

    // MARK: Containers

    static func index(_ a: CELValue, _ i: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .list(let l):
            let idx: Int64
            switch i {
            case .int(let v): idx = v
            case .uint(let v):
                guard v <= UInt64(Int64.max) else { throw CELError("index out of range") }
                idx = Int64(v)
            case .double(let d):
                guard let v = Int64(exactly: d) else { throw CELError("invalid list index \(d)") }
                idx = v
            default: throw CELError.noOverload("_[_]", [a, i])
            }
            guard idx >= 0, idx < Int64(l.count) else {
                throw CELError("index out of range: index \(idx), size \(l.count)")
            }
            return l[Int(idx)]
        case .map(let m):
            switch i {
            case .int, .uint, .bool, .string, .double: break
            default: throw CELError("unsupported key type")
            }
            guard let v = m[i] else { throw CELError("no such key: \(describeKey(i))") }
            return v
        default: throw CELError.noOverload("_[_]", [a, i])
        }
    }

    static func describeKey(_ v: CELValue) -> String {
        if case .string(let s) = v { return "'\(s)'" }
        return Std.debugString(v)
    }

    static func contains(_ container: CELValue, element: CELValue) throws(CELError) -> Bool {
        switch container {
        case .list(let l):
            for e in l where celEquals(e, element) { return true }
            return false
        case .map(let m):
            return m[element] != nil
        default: throw CELError.noOverload("@in", [element, container])
        }
    }

    static func size(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .string(let s): return .int(Int64(s.unicodeScalars.count))
        case .bytes(let b): return .int(Int64(b.count))
        case .list(let l): return .int(Int64(l.count))
        case .map(let m): return .int(Int64(m.count))
        default: throw CELError.noOverload("size", [a])
        }
    }

    // MARK: Strings

    static func strings(_ fn: String, _ a: CELValue, _ b: CELValue) throws(CELError) -> (String, String) {
        guard case .string(let x) = a, case .string(let y) = b else { throw CELError.noOverload(fn, [a, b]) }
        return (x, y)
    }

    static func stringContains(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        let (x, y) = try strings("contains", a, b)
        return .bool(SubstringSearch(Array(y.utf8)).first(in: Array(x.utf8)) != nil)
    }

    static func startsWith(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        let (x, y) = try strings("startsWith", a, b)
        return .bool(x.utf8.starts(with: y.utf8))
    }

    static func endsWith(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        let (x, y) = try strings("endsWith", a, b)
        return .bool(x.utf8.reversed().starts(with: y.utf8.reversed()))
    }

    static func matches(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        let (s, pattern) = try strings("matches", a, b)
        return .bool(try Regex.compile(pattern).matches(s, deadline: DispatchTime.now().uptimeNanoseconds + 1_000_000_000))
    }

    // MARK: Conversions

    static func toInt(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .int: return a
        case .uint(let u):
            guard u <= UInt64(Int64.max) else { throw CELError("int range error: \(u)") }
            return .int(Int64(u))
        case .double(let d):
            guard d.isFinite, d > -9_223_372_036_854_775_809.0, d < 9_223_372_036_854_775_807.0 else {
                throw CELError("int range error: \(d)")
            }
            return .int(Int64(d.rounded(.towardZero)))
        case .string(let s):
            guard let v = Int64(s) else { throw CELError("cannot convert '\(s)' to int") }
            return .int(v)
        case .timestamp(let t): return .int(t.seconds)
        default: throw CELError.noOverload("int", [a])
        }
    }

    static func toUInt(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .uint: return a
        case .int(let i):
            guard i >= 0 else { throw CELError("uint range error: \(i)") }
            return .uint(UInt64(i))
        case .double(let d):
            guard d.isFinite, d > -1, d < 18_446_744_073_709_551_615.0 else { throw CELError("uint range error: \(d)") }
            return .uint(UInt64(d.rounded(.towardZero)))
        case .string(let s):
            guard let v = UInt64(s) else { throw CELError("cannot convert '\(s)' to uint") }
            return .uint(v)
        default: throw CELError.noOverload("uint", [a])
        }
    }

    static func toDouble(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .double: return a
        case .int(let i): return .double(Double(i))
        case .uint(let u): return .double(Double(u))
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            guard t == s, let v = parseDouble(s) else { throw CELError("cannot convert '\(s)' to double") }
            return .double(v)
        default: throw CELError.noOverload("double", [a])
        }
    }

    static func parseDouble(_ s: String) -> Double? {
        switch s.lowercased() {
        case "nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(s)
        }
    }

    static func toStringValue(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .string: return a
        case .bool(let b): return .string(b ? "true" : "false")
        case .int(let i): return .string(String(i))
        case .uint(let u): return .string(String(u))
        case .double(let d): return .string(formatDouble(d))
        case .bytes(let b):
            guard let s = String(validating: b, as: UTF8.self) else { throw CELError("invalid UTF-8 in bytes") }
            return .string(s)
        case .timestamp(let t): return .string(t.rfc3339)
        case .duration(let d): return .string(d.formatted)
        default: throw CELError.noOverload("string", [a])
        }
    }

    /// Go's `%g` with the shortest representation, as cel-go prints doubles.
    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        // Shortest round-trip digits and decimal exponent from Swift's description.
        let desc = "\(abs(d))"
        var mantissa = desc
        var exp = 0
        if let e = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(desc[..<e])
            exp = Int(desc[desc.index(after: e)...]) ?? 0
        }
        var intPart = mantissa
        var fracPart = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = String(mantissa[..<dot])
            fracPart = String(mantissa[mantissa.index(after: dot)...])
        }
        var digits = intPart + fracPart
        var pointPos = intPart.count + exp  // digits before the decimal point
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointPos -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let x = pointPos - 1  // decimal exponent of the first digit
        var out = d < 0 ? "-" : ""
        if x < -4 || x >= 6 {  // strconv.FormatFloat(d, 'g', -1, 64)
            out += String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += "e" + (x < 0 ? "-" : "+") + (abs(x) < 10 ? "0" : "") + String(abs(x))
        } else if pointPos <= 0 {
            out += "0." + String(repeating: "0", count: -pointPos) + digits
        } else if pointPos >= digits.count {
            out += digits + String(repeating: "0", count: pointPos - digits.count)
        } else {
            let i = digits.index(digits.startIndex, offsetBy: pointPos)
            out += digits[..<i] + "." + digits[i...]
        }
        return out
    }

    static func toBytes(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .bytes: return a
        case .string(let s): return .bytes(Array(s.utf8))
        default: throw CELError.noOverload("bytes", [a])
        }
    }

    static func toBool(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .bool: return a
        case .string(let s):
            switch s {
            case "1", "t", "T", "true", "TRUE", "True": return .bool(true)
            case "0", "f", "F", "false", "FALSE", "False": return .bool(false)
            default: throw CELError("cannot convert '\(s)' to bool")
            }
        default: throw CELError.noOverload("bool", [a])
        }
    }

    static func toTimestamp(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .timestamp: return a
        case .string(let s): return .timestamp(try CELTimestamp(rfc3339: s))
        case .int(let i): return .timestamp(try CELTimestamp(seconds: i))
        default: throw CELError.noOverload("timestamp", [a])
        }
    }

    static func toDuration(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .duration: return a
        case .string(let s): return .duration(try CELDuration(parsing: s))
        case .int(let i): return .duration(try CELDuration(seconds: i / 1_000_000_000, nanos: Int32(i % 1_000_000_000)))
        default: throw CELError.noOverload("duration", [a])
        }
    }

    static func typeOf(_ a: CELValue) -> CELValue { .type(a.celType) }

    // MARK: Time accessors

    static func timeAccessor(_ name: String, _ a: CELValue, _ tz: CELValue?) throws(CELError) -> CELValue {
        switch a {
        case .timestamp(let t):
            var zone: String?
            if let tz {
                guard case .string(let z) = tz else { throw CELError.noOverload(name, [a, tz]) }
                zone = z
            }
            let f = try t.fields(timeZone: zone)
            switch name {
            case "getFullYear": return .int(f.year)
            case "getMonth": return .int(f.month - 1)
            case "getDate": return .int(f.day)
            case "getDayOfMonth": return .int(f.day - 1)
            case "getDayOfWeek": return .int(f.dayOfWeek)
            case "getDayOfYear": return .int(f.dayOfYear)
            case "getHours": return .int(f.hour)
            case "getMinutes": return .int(f.minute)
            case "getSeconds": return .int(f.second)
            case "getMilliseconds": return .int(f.millisecond)
            default: throw CELError.noOverload(name, [a])
            }
        case .duration(let d) where tz == nil:
            switch name {
            case "getHours": return .int(d.seconds / 3600)
            case "getMinutes": return .int(d.seconds / 60)
            case "getSeconds": return .int(d.seconds)
            case "getMilliseconds": return .int(Int64(d.nanos) / 1_000_000)
            default: throw CELError.noOverload(name, [a])
            }
        default: throw CELError.noOverload(name, tz.map { [a, $0] } ?? [a])
        }
    }

    /// A short rendering of a value for messages and `%s`-style output.
    static func debugString(_ v: CELValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return "\(u)u"
        case .double(let d): return formatDouble(d)
        case .string(let s): return quote(s)
        case .bytes(let b): return "b" + quote(String(decoding: b, as: UTF8.self))
        case .list(let l): return "[" + l.map(debugString).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.entries.map { debugString($0.key) + ": " + debugString($0.value) }.joined(separator: ", ") + "}"
        case .timestamp(let t): return "timestamp(\"\(t.rfc3339)\")"
        case .duration(let d): return "duration(\"\(d.formatted)\")"
        case .type(let t): return t.name
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

/// A compiled regular expression. CEL specifies RE2; this uses Foundation's NSRegularExpression (ICU),
/// the nearest available engine. Differences from RE2:
/// - ICU backtracks: some patterns (`(a+)+$`) take exponential time where RE2 is linear. Matching
///   reports progress and stops at the evaluation deadline with an error instead of hanging.
/// - RE2 rejects backreferences (`\1`), lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`) and atomic or
///   possessive forms; so does this (they are refused at compile time to keep RE2's language).
/// - Escapes and classes mostly agree (`\d \w \s \b`, `[[:alpha:]]`, `\p{L}`); RE2's one-letter
///   `\pL` and `\C` are not ICU syntax, and ICU's `\w`/`\d` are Unicode-aware where RE2's are ASCII.
/// Matching is a substring search, as in CEL (anchor with `^…$`).
final class Regex: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe
    let regex: NSRegularExpression

    init(_ regex: NSRegularExpression) { self.regex = regex }

    static func compile(_ pattern: String) throws(CELError) -> Regex {
        if let problem = nonRE2Construct(Array(pattern.unicodeScalars)) {
            throw CELError("invalid regular expression '\(pattern)': \(problem) is not RE2 syntax")
        }
        do {
            // ICU rejects the empty pattern, which matches everywhere.
            return Regex(try NSRegularExpression(pattern: pattern.isEmpty ? "(?:)" : pattern, options: []))
        } catch {
            throw CELError("invalid regular expression '\(pattern)'")
        }
    }

    /// Backreferences, lookaround, atomic groups and possessive quantifiers: ICU accepts them, RE2
    /// does not (and they are where backtracking engines go exponential).
    static func nonRE2Construct(_ u: [Unicode.Scalar]) -> String? {
        var i = 0
        var inClass = false
        var afterQuantifier = false
        while i < u.count {
            let c = u[i]
            if c == "\\" {
                if !inClass, i + 1 < u.count, u[i + 1] >= "1" && u[i + 1] <= "9" { return "a backreference" }
                i += 2
                afterQuantifier = false
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
                i += 1
                continue
            }
            if c == "[" {
                inClass = true
                i += 1
                if i < u.count && u[i] == "^" { i += 1 }
                if i < u.count && u[i] == "]" { i += 1 }
                afterQuantifier = false
                continue
            }
            if c == "(", i + 2 < u.count, u[i + 1] == "?" {
                let n = u[i + 2]
                if n == "=" || n == "!" { return "lookahead" }
                if n == ">" { return "an atomic group" }
                if n == "<", i + 3 < u.count, u[i + 3] == "=" || u[i + 3] == "!" { return "lookbehind" }
            }
            if c == "+" && afterQuantifier { return "a possessive quantifier" }
            afterQuantifier = c == "*" || c == "+" || c == "?" || c == "}"
            i += 1
        }
        return nil
    }

    /// Whether the pattern matches anywhere in `s`; throws when matching runs past `deadline`
    /// (monotonic nanoseconds).
    func matches(_ s: String, deadline: UInt64) throws(CELError) -> Bool {
        let range = NSRange(location: 0, length: (s as NSString).length)
        if deadline == .max {
            return regex.firstMatch(in: s, options: [], range: range) != nil
        }
        var found = false
        var late = false
        regex.enumerateMatches(in: s, options: [.reportProgress], range: range) { match, _, stop in
            if match != nil {
                found = true
                stop.pointee = true
            } else if DispatchTime.now().uptimeNanoseconds > deadline {
                late = true
                stop.pointee = true
            }
        }
        if late && !found { throw CELError.deadlineExceeded }
        return found
    }
}
