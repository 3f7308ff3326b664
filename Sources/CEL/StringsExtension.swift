import Foundation

// CEL's strings extension as cel-go's `ext.Strings()` defines it (latest version): indices and
// lengths count code points.

enum StringsExt {
    static func str(_ fn: String, _ v: CELValue, _ all: [CELValue]) throws(CELError) -> String {
        guard case .string(let s) = v else { throw CELError.noOverload(fn, all) }
        return s
    }

    static func int(_ fn: String, _ v: CELValue, _ all: [CELValue]) throws(CELError) -> Int64 {
        guard case .int(let i) = v else { throw CELError.noOverload(fn, all) }
        return i
    }

    static func charAt(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        let s = Array(try str("charAt", a, [a, b]).unicodeScalars)
        let i = try int("charAt", b, [a, b])
        guard i >= 0, i <= s.count else { throw CELError("index out of range: \(i)") }
        return .string(i == s.count ? "" : String(s[Int(i)]))
    }

    static func indexOf(_ args: [CELValue]) throws(CELError) -> CELValue {
        let s = Array(try str("indexOf", args[0], args).unicodeScalars)
        let sub = Array(try str("indexOf", args[1], args).unicodeScalars)
        var start: Int64 = 0
        if args.count == 3 { start = try int("indexOf", args[2], args) }
        guard start >= 0, start <= s.count else { throw CELError("index out of range: \(start)") }
        return .int(SubstringSearch(sub).first(in: s, from: Int(start)).map(Int64.init) ?? -1)
    }

    static func lastIndexOf(_ args: [CELValue]) throws(CELError) -> CELValue {
        let s = Array(try str("lastIndexOf", args[0], args).unicodeScalars)
        let sub = Array(try str("lastIndexOf", args[1], args).unicodeScalars)
        var start = Int64(s.count)
        if args.count == 3 {
            start = try int("lastIndexOf", args[2], args)
            guard start >= 0, start <= s.count else { throw CELError("index out of range: \(start)") }
        }
        if sub.isEmpty { return .int(start) }
        return .int(SubstringSearch.last(of: sub, in: s, notAfter: Int(start)).map(Int64.init) ?? -1)
    }

    static func lowerAscii(_ a: CELValue) throws(CELError) -> CELValue {
        let s = try str("lowerAscii", a, [a])
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            out.append(u >= "A" && u <= "Z" ? Unicode.Scalar(u.value + 32)! : u)
        }
        return .string(String(out))
    }

    static func upperAscii(_ a: CELValue) throws(CELError) -> CELValue {
        let s = try str("upperAscii", a, [a])
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            out.append(u >= "a" && u <= "z" ? Unicode.Scalar(u.value - 32)! : u)
        }
        return .string(String(out))
    }

    static func replace(_ args: [CELValue]) throws(CELError) -> CELValue {
        let s = Array(try str("replace", args[0], args).unicodeScalars)
        let old = Array(try str("replace", args[1], args).unicodeScalars)
        let new = try str("replace", args[2], args)
        var limit: Int64 = -1
        if args.count == 4 { limit = try int("replace", args[3], args) }
        if limit == 0 { return args[0] }
        var out = String.UnicodeScalarView()
        var done: Int64 = 0
        if old.isEmpty {
            // Go's strings.Replace inserts `new` before every code point and at the end.
            var i = 0
            while i <= s.count {
                if limit >= 0 && done >= limit {
                    out.append(contentsOf: s[i...])
                    break
                }
                out.append(contentsOf: new.unicodeScalars)
                done += 1
                if i < s.count { out.append(s[i]) }
                i += 1
            }
            return .string(String(out))
        }
        let search = SubstringSearch(old)
        var i = 0
        while limit < 0 || done < limit, let j = search.first(in: s, from: i) {
            out.append(contentsOf: s[i..<j])
            out.append(contentsOf: new.unicodeScalars)
            i = j + old.count
            done += 1
        }
        out.append(contentsOf: s[i...])
        return .string(String(out))
    }

    static func split(_ args: [CELValue]) throws(CELError) -> CELValue {
        let s = try str("split", args[0], args)
        let sep = try str("split", args[1], args)
        var limit: Int64 = -1
        if args.count == 3 { limit = try int("split", args[2], args) }
        if limit == 0 { return .list([]) }
        let chars = Array(s.unicodeScalars)
        let sepChars = Array(sep.unicodeScalars)
        var parts: [CELValue] = []
        if sepChars.isEmpty {
            for (k, c) in chars.enumerated() {
                if limit > 0 && Int64(parts.count) == limit - 1 {
                    parts.append(.string(String(String.UnicodeScalarView(chars[k...]))))
                    return .list(parts)
                }
                parts.append(.string(String(c)))
            }
            return .list(parts)
        }
        let search = SubstringSearch(sepChars)
        var start = 0
        while limit < 0 || Int64(parts.count) < limit - 1, let j = search.first(in: chars, from: start) {
            parts.append(.string(String(String.UnicodeScalarView(chars[start..<j]))))
            start = j + sepChars.count
        }
        parts.append(.string(String(String.UnicodeScalarView(chars[start...]))))
        return .list(parts)
    }

    static func substring(_ args: [CELValue]) throws(CELError) -> CELValue {
        let s = Array(try str("substring", args[0], args).unicodeScalars)
        let start = try int("substring", args[1], args)
        var end = Int64(s.count)
        if args.count == 3 { end = try int("substring", args[2], args) }
        guard start >= 0, start <= s.count else { throw CELError("index out of range: \(start)") }
        guard end >= 0, end <= s.count else { throw CELError("index out of range: \(end)") }
        guard start <= end else { throw CELError("invalid substring range. start: \(start), end: \(end)") }
        return .string(String(String.UnicodeScalarView(s[Int(start)..<Int(end)])))
    }

    static func trim(_ a: CELValue) throws(CELError) -> CELValue {
        let s = try str("trim", a, [a])
        let u = Array(s.unicodeScalars)
        var lo = 0
        var hi = u.count
        while lo < hi && u[lo].properties.isWhitespace { lo += 1 }
        while hi > lo && u[hi - 1].properties.isWhitespace { hi -= 1 }
        return .string(String(String.UnicodeScalarView(u[lo..<hi])))
    }

    static func join(_ args: [CELValue]) throws(CELError) -> CELValue {
        guard case .list(let l) = args[0] else { throw CELError.noOverload("join", args) }
        var sep = ""
        if args.count == 2 { sep = try str("join", args[1], args) }
        var parts: [String] = []
        for e in l {
            guard case .string(let s) = e else { throw CELError.noOverload("join", args) }
            parts.append(s)
        }
        return .string(parts.joined(separator: sep))
    }

    static func reverse(_ a: CELValue) throws(CELError) -> CELValue {
        let s = try str("reverse", a, [a])
        return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
    }

    static func quote(_ a: CELValue) throws(CELError) -> CELValue {
        let s = try str("strings.quote", a, [a])
        return .string(Std.quote(s))
    }

    // MARK: format

    /// `"%s is %d".format([a, b])`: verbs %s %d %f %e %b %o %x %X %%, with an optional `.N` precision.
    static func format(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        let f = try str("format", a, [a, b])
        guard case .list(let args) = b else { throw CELError.noOverload("format", [a, b]) }
        var out = ""
        var it = Array(f.unicodeScalars)[...]
        var argIndex = 0
        while let c = it.popFirst() {
            if c != "%" {
                out.unicodeScalars.append(c)
                continue
            }
            var precision: Int?
            if it.first == "." {
                it.removeFirst()
                var p = 0
                var any = false
                while let d = it.first, d >= "0" && d <= "9" {
                    p = min(p * 10 + Int(d.value - 48), 10_000)
                    any = true
                    it.removeFirst()
                }
                guard any, p <= 1_000 else { throw CELError("could not parse formatting clause: invalid precision") }
                precision = p
            }
            guard let verb = it.popFirst() else { throw CELError("could not parse formatting clause: unexpected end of string") }
            if verb == "%" {
                out += "%"
                continue
            }
            guard argIndex < args.count else { throw CELError("index \(argIndex) out of range") }
            let arg = args[argIndex]
            argIndex += 1
            switch verb {
            case "s": out += try formatString(arg)
            case "d": out += try formatDecimal(arg)
            case "f": out += try formatFixed(arg, precision ?? 6)
            case "e": out += try formatScientific(arg, precision ?? 6)
            case "b": out += try formatRadix(arg, 2, verb: "b")
            case "o": out += try formatRadix(arg, 8, verb: "o")
            case "x": out += try formatHex(arg, upper: false)
            case "X": out += try formatHex(arg, upper: true)
            default: throw CELError("could not parse formatting clause: unrecognized formatting clause \"\(verb)\"")
            }
        }
        return .string(out)
    }

    /// `%s`: strings and bytes verbatim, numbers and time values as `string()` prints them, lists
    /// and maps with their elements formatted the same way (map entries sorted by formatted key).
    static func formatString(_ v: CELValue) throws(CELError) -> String {
        switch v {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .null: return "null"
        case .type(let t): return t.name
        case .double(let d): return special(d) ?? Std.formatDouble(d)
        case .list(let l):
            var parts: [String] = []
            for e in l { parts.append(try formatString(e)) }
            return "[" + parts.joined(separator: ", ") + "]"
        case .map(let m):
            var parts: [(String, String)] = []
            for e in m.entries { parts.append((try formatString(e.key), try formatString(e.value))) }
            parts.sort { celStringLess($0.0, $1.0) }
            return "{" + parts.map { $0.0 + ": " + $0.1 }.joined(separator: ", ") + "}"
        default:
            guard case .string(let s) = try Std.toStringValue(v) else { return "" }
            return s
        }
    }

    /// NaN and the infinities as cel-go's format spells them.
    static func special(_ d: Double) -> String? {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return nil
    }

    static func formatDecimal(_ v: CELValue) throws(CELError) -> String {
        switch v {
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d) where special(d) != nil: return special(d)!
        default: throw CELError("error during formatting: decimal clause can only be used on integers, was given \(v.celType.name)")
        }
    }

    static func double(_ v: CELValue, _ clause: String) throws(CELError) -> Double {
        guard case .double(let d) = v else {
            throw CELError("error during formatting: \(clause) clause can only be used on doubles, was given \(v.celType.name)")
        }
        return d
    }

    static func formatFixed(_ v: CELValue, _ p: Int) throws(CELError) -> String {
        let d = try double(v, "fixed-point")
        return special(d) ?? String(format: "%.\(p)f", d)
    }

    static func formatScientific(_ v: CELValue, _ p: Int) throws(CELError) -> String {
        let d = try double(v, "scientific")
        return special(d) ?? String(format: "%.\(p)e", d)
    }

    static func formatRadix(_ v: CELValue, _ radix: Int, verb: String) throws(CELError) -> String {
        switch v {
        case .int(let i): return (i < 0 ? "-" : "") + String(i.magnitude, radix: radix)
        case .uint(let u): return String(u, radix: radix)
        case .bool(let b) where radix == 2: return b ? "1" : "0"
        default:
            if radix == 2 {
                throw CELError("error during formatting: only integers and bools can be formatted as binary, was given \(v.celType.name)")
            }
            throw CELError("error during formatting: octal clause can only be used on integers, was given \(v.celType.name)")
        }
    }

    static func formatHex(_ v: CELValue, upper: Bool) throws(CELError) -> String {
        var s: String
        switch v {
        case .int(let i): s = (i < 0 ? "-" : "") + String(i.magnitude, radix: 16)
        case .uint(let u): s = String(u, radix: 16)
        case .string(let str): s = str.utf8.map { String(format: "%02x", $0) }.joined()
        case .bytes(let b): s = b.map { String(format: "%02x", $0) }.joined()
        default:
            throw CELError("error during formatting: only integers, byte buffers, and strings can be formatted as hex, was given \(v.celType.name)")
        }
        if upper { s = s.uppercased() }
        return s
    }
}
