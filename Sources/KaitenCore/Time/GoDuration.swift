import Foundation

/// Parses a Go duration string (`"15m"`, `"24h"`, `"1h30m"`, `"1.5h"`, `"900s"`, `"300ms"`), the form the
/// Platform API takes token lifetimes in. Returns seconds, or nil for anything Go would refuse.
package enum GoDuration {
    /// Go's longest duration, 2⁶³−1 nanoseconds (about 292 years): longer ones do not parse in Go.
    package static let maximumSeconds: TimeInterval = 9_223_372_036.854_775_807

    package enum Failure: Error, Sendable, Equatable {
        /// Not a Go duration at all.
        case malformed
        /// Well formed, but longer than ``GoDuration/maximumSeconds`` either way.
        case outOfRange
    }

    package static func seconds(_ text: String) -> TimeInterval? {
        try? parse(text)
    }

    /// The duration in seconds; throws ``Failure/malformed`` or ``Failure/outOfRange``.
    package static func parse(_ text: String) throws(Failure) -> TimeInterval {
        var rest = Substring(text)
        var sign: Double = 1
        if rest.first == "-" || rest.first == "+" {
            sign = rest.first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { throw .malformed }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", let value = Double(number) else { throw .malformed }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { throw .malformed }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        guard total.isFinite, total <= maximumSeconds else { throw .outOfRange }
        return sign * total
    }
}
