import Foundation

/// Parses a Go duration string (`"15m"`, `"24h"`, `"1h30m"`, `"1.5h"`, `"900s"`, `"300ms"`), the form the
/// Platform API takes token lifetimes in. Returns seconds, or nil for anything Go would refuse.
public enum GoDuration {
    public static func seconds(_ text: String) -> TimeInterval? {
        var rest = Substring(text)
        var sign: Double = 1
        if rest.first == "-" || rest.first == "+" {
            sign = rest.first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, number != ".", let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return sign * total
    }
}
