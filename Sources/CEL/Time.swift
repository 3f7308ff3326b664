import Foundation

// Civil-calendar arithmetic (proleptic Gregorian) on days since 1970-01-01.

func daysFromCivil(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
    let y = m <= 2 ? y - 1 : y
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (m + 9) % 12
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

func civilFromDays(_ z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
}

private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension CELTimestamp {
    /// Parses RFC 3339 (`2009-02-13T23:31:30.123Z`, `…+01:00`).
    package init(rfc3339 text: String) throws(CELError) {
        let s = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) throws(CELError) -> Int64 {
            guard i + n <= s.count else { throw CELError("invalid timestamp '\(text)'") }
            var v: Int64 = 0
            for k in 0..<n {
                let c = s[i + k]
                guard c >= 48 && c <= 57 else { throw CELError("invalid timestamp '\(text)'") }
                v = v * 10 + Int64(c - 48)
            }
            i += n
            return v
        }
        func expect(_ chars: String) throws(CELError) {
            guard i < s.count, chars.utf8.contains(s[i]) else { throw CELError("invalid timestamp '\(text)'") }
            i += 1
        }
        // Years beyond four digits are out of CEL's range.
        var yearDigits = 0
        while i + yearDigits < s.count, s[i + yearDigits] >= 48, s[i + yearDigits] <= 57 { yearDigits += 1 }
        if yearDigits > 4 { throw CELError("timestamp out of range") }
        let year = try digits(4)
        try expect("-")
        let month = try digits(2)
        try expect("-")
        let day = try digits(2)
        try expect("Tt")
        let hour = try digits(2)
        try expect(":")
        let minute = try digits(2)
        try expect(":")
        let second = try digits(2)
        var nanos: Int64 = 0
        if i < s.count && s[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < s.count, s[i] >= 48, s[i] <= 57 {
                if n < 9 { nanos = nanos * 10 + Int64(s[i] - 48) }
                n += 1
                i += 1
            }
            guard n > 0 else { throw CELError("invalid timestamp '\(text)'") }
            for _ in n..<max(n, 9) { nanos *= 10 }
        }
        var offset: Int64 = 0
        guard i < s.count else { throw CELError("invalid timestamp '\(text)'") }
        if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
            i += 1
        } else {
            let sign: Int64 = s[i] == UInt8(ascii: "-") ? -1 : 1
            try expect("+-")
            let oh = try digits(2)
            try expect(":")
            let om = try digits(2)
            offset = sign * (oh * 3600 + om * 60)
        }
        guard i == s.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { throw CELError("invalid timestamp '\(text)'") }
        if year == 0 { throw CELError("timestamp out of range") }
        let days = daysFromCivil(year, month, day)
        guard civilFromDays(days) == (year, month, day) else { throw CELError("invalid timestamp '\(text)'") }
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        try self.init(seconds: secs, nanos: Int32(nanos))
    }

    /// RFC 3339 in UTC with the fraction trimmed of trailing zeros, as Go's `time.RFC3339Nano`.
    package var rfc3339: String {
        let days = floorDiv(seconds, 86_400)
        let rem = seconds - days * 86_400
        let (y, m, d) = civilFromDays(days)
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        out += pad(rem / 3600, 2) + ":" + pad(rem / 60 % 60, 2) + ":" + pad(rem % 60, 2)
        if nanos != 0 {
            var frac = pad(Int64(nanos), 9)
            while frac.hasSuffix("0") { frac.removeLast() }
            out += "." + frac
        }
        return out + "Z"
    }

    /// Local calendar fields in a time zone: an IANA name, `UTC`, or a fixed offset `[+-]HH:MM`.
    func fields(timeZone: String?) throws(CELError) -> LocalTime {
        var offset: Int64 = 0
        if let tz = timeZone {
            offset = try Self.offset(of: tz, at: seconds)
        }
        let local = seconds + offset
        let days = floorDiv(local, 86_400)
        let rem = local - days * 86_400
        let (y, m, d) = civilFromDays(days)
        return LocalTime(
            year: y, month: m, day: d, hour: rem / 3600, minute: rem / 60 % 60, second: rem % 60,
            millisecond: Int64(nanos) / 1_000_000,
            dayOfWeek: ((days % 7) + 11) % 7,  // 1970-01-01 was a Thursday (4); Sunday is 0
            dayOfYear: days - daysFromCivil(y, 1, 1))
    }

    static func offset(of tz: String, at seconds: Int64) throws(CELError) -> Int64 {
        let u = Array(tz.utf8)
        if let first = u.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || (first >= 48 && first <= 57),
            u.contains(UInt8(ascii: ":"))
        {
            var sign: Int64 = 1
            var rest = Substring(tz)
            if first == UInt8(ascii: "-") {
                sign = -1
                rest = rest.dropFirst()
            } else if first == UInt8(ascii: "+") {
                rest = rest.dropFirst()
            }
            let parts = rest.split(separator: ":")
            guard parts.count == 2, let h = Int64(parts[0]), let m = Int64(parts[1]), h < 24, m < 60 else {
                throw CELError("invalid time zone '\(tz)'")
            }
            return sign * (h * 3600 + m * 60)
        }
        guard let zone = TimeZone(identifier: tz) else { throw CELError("invalid time zone '\(tz)'") }
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
    }
}

struct LocalTime {
    let year, month, day, hour, minute, second, millisecond, dayOfWeek, dayOfYear: Int64
}

private func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

extension CELDuration {
    /// Parses Go-style durations: `1h30m`, `-1.5s`, `100ms`, `2us`, `3ns` (no days).
    package init(parsing text: String) throws(CELError) {
        var s = Substring(text)
        var negative = false
        if s.first == "-" {
            negative = true
            s = s.dropFirst()
        } else if s.first == "+" {
            s = s.dropFirst()
        }
        if s == "0" {
            try self.init(seconds: 0)
            return
        }
        guard !s.isEmpty else { throw CELError("invalid duration '\(text)'") }
        // Accumulate in nanoseconds with a wide integer range: seconds and nanos separately.
        var totalNanos: Double = 0  // used only for the range check of huge inputs
        var secs: Int64 = 0
        var nanos: Int64 = 0
        while !s.isEmpty {
            var intPart = ""
            var fracPart = ""
            while let c = s.first, c.isASCII, c.isNumber {
                intPart.append(c)
                s = s.dropFirst()
            }
            if s.first == "." {
                s = s.dropFirst()
                while let c = s.first, c.isASCII, c.isNumber {
                    fracPart.append(c)
                    s = s.dropFirst()
                }
            }
            guard !intPart.isEmpty || !fracPart.isEmpty else { throw CELError("invalid duration '\(text)'") }
            var unit = ""
            while let c = s.first, c.isLetter || c == "µ" {
                unit.append(c)
                s = s.dropFirst()
            }
            let unitNanos: Int64
            switch unit {
            case "h": unitNanos = 3_600_000_000_000
            case "m": unitNanos = 60_000_000_000
            case "s": unitNanos = 1_000_000_000
            case "ms": unitNanos = 1_000_000
            case "us", "µs": unitNanos = 1_000
            case "ns": unitNanos = 1
            default: throw CELError("invalid duration '\(text)'")
            }
            let whole = Double(intPart.isEmpty ? "0" : intPart) ?? .infinity
            totalNanos += whole * Double(unitNanos)
            if totalNanos > 1e22 { throw CELError("duration out of range") }
            guard let w = Int64(intPart.isEmpty ? "0" : intPart) else { throw CELError("duration out of range") }
            // whole units
            let unitSecs = unitNanos / 1_000_000_000
            if unitSecs > 0 {
                let (p, o) = w.multipliedReportingOverflow(by: unitSecs)
                let (q, o2) = secs.addingReportingOverflow(p)
                if o || o2 { throw CELError("duration out of range") }
                secs = q
            } else {
                let (p, o) = w.multipliedReportingOverflow(by: unitNanos)
                if o { throw CELError("duration out of range") }
                secs += p / 1_000_000_000
                nanos += p % 1_000_000_000
            }
            if !fracPart.isEmpty {
                let frac = Double("0." + fracPart) ?? 0
                let fn = frac * Double(unitNanos)
                let fs = (fn / 1e9).rounded(.towardZero)
                secs += Int64(fs)
                nanos += Int64((fn - fs * 1e9).rounded())
            }
            secs += nanos / 1_000_000_000
            nanos %= 1_000_000_000
        }
        if negative {
            secs = -secs
            nanos = -nanos
        }
        try self.init(seconds: secs, nanos: Int32(nanos))
    }

    /// `"60.001s"`, `"-1.5s"`, `"0s"`.
    package var formatted: String {
        if nanos == 0 { return "\(seconds)s" }
        let neg = seconds < 0 || nanos < 0
        var frac = pad(Int64(abs(nanos)), 9)
        while frac.hasSuffix("0") { frac.removeLast() }
        return (neg ? "-" : "") + "\(abs(seconds))." + frac + "s"
    }
}
