import Foundation

/// A CEL runtime value.
///
/// Values are immutable and `Sendable`. Lists are Swift arrays; maps are ``CELMap`` (an immutable
/// class, so copying a map value is one retain). Errors are not values: evaluation throws ``CELError``.
package enum CELValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([CELValue])
    case map(CELMap)
    case timestamp(CELTimestamp)
    case duration(CELDuration)
    case type(CELType)
}

/// An evaluation or compilation error. CEL errors carry a message; the evaluator never traps.
package struct CELError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    /// Set for the evaluation limits (cost, deadline): such errors are never absorbed by `&&`, `||`
    /// or the macros, so a runaway evaluation always stops.
    package var isLimit: Bool
    package init(_ message: String) {
        self.message = message
        self.isLimit = false
    }
    init(limit message: String) {
        self.message = message
        self.isLimit = true
    }
    package var description: String { message }

    static func noOverload(_ function: String, _ args: [CELValue] = []) -> CELError {
        if args.isEmpty { return CELError("no matching overload for '\(function)'") }
        let types = args.map { $0.celType.name }.joined(separator: ", ")
        return CELError("no matching overload for '\(function)' applied to (\(types))")
    }
    static let divisionByZero = CELError("division by zero")
    static let moduloByZero = CELError("modulus by zero")
    static let overflow = CELError("integer overflow")
    static let costLimitExceeded = CELError(limit: "cost limit exceeded")
    static let deadlineExceeded = CELError(limit: "evaluation deadline exceeded")
}

/// The type of a CEL value, as returned by `type(x)` and usable as a value (`type(1) == int`).
package enum CELType: Sendable, Hashable, CustomStringConvertible {
    case null, bool, int, uint, double, string, bytes, list, map, timestamp, duration, type, dyn
    /// A message type known by name only (this library has no protobuf messages).
    case named(String)

    package var name: String {
        switch self {
        case .null: "null_type"
        case .bool: "bool"
        case .int: "int"
        case .uint: "uint"
        case .double: "double"
        case .string: "string"
        case .bytes: "bytes"
        case .list: "list"
        case .map: "map"
        case .timestamp: "google.protobuf.Timestamp"
        case .duration: "google.protobuf.Duration"
        case .type: "type"
        case .dyn: "dyn"
        case .named(let n): n
        }
    }
    package var description: String { name }

    /// The identifiers that denote types in expressions.
    static let byIdentifier: [String: CELType] = [
        "null_type": .null, "bool": .bool, "int": .int, "uint": .uint, "double": .double,
        "string": .string, "bytes": .bytes, "list": .list, "map": .map, "type": .type,
        "google.protobuf.Timestamp": .timestamp, "google.protobuf.Duration": .duration,
    ]
}

// MARK: - Map

/// A map key: CEL allows int, uint, bool and string keys. Numeric keys compare by value
/// (`1`, `1u` and `1.0` find the same entry), and strings compare by code points.
struct CELMapKey: Hashable, Sendable {
    enum Storage: Sendable {
        case bool(Bool)
        case int(Int64)
        case bigUInt(UInt64)  // only for values above Int64.max
        case string(String)
    }
    let storage: Storage

    init(string: String) { storage = .string(string) }

    /// The key for a value, or nil if the value cannot be a key (or is a non-integral double).
    init?(lookup value: CELValue) {
        switch value {
        case .bool(let b): storage = .bool(b)
        case .int(let i): storage = .int(i)
        case .uint(let u): storage = u <= UInt64(Int64.max) ? .int(Int64(u)) : .bigUInt(u)
        case .string(let s): storage = .string(s)
        case .double(let d):
            if let i = Int64(exactly: d) {
                storage = .int(i)
            } else if let u = UInt64(exactly: d) {
                storage = .bigUInt(u)
            } else {
                return nil
            }
        default: return nil
        }
    }

    static func == (a: CELMapKey, b: CELMapKey) -> Bool {
        switch (a.storage, b.storage) {
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.bigUInt(let x), .bigUInt(let y)): x == y
        case (.string(let x), .string(let y)): celStringEqual(x, y)
        default: false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch storage {
        case .bool(let b):
            hasher.combine(0 as UInt8)
            hasher.combine(b)
        case .int(let i):
            hasher.combine(1 as UInt8)
            hasher.combine(i)
        case .bigUInt(let u):
            hasher.combine(2 as UInt8)
            hasher.combine(u)
        case .string(let s):
            hasher.combine(3 as UInt8)
            var s = s
            s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }
}

/// An immutable CEL map. Iteration follows insertion order.
///
/// Small maps (the usual JSON context object) are searched linearly by a cheap precomputed key
/// hash; larger ones through a Swift dictionary (SipHash, so untrusted keys cannot flood it).
package final class CELMap: Sendable {
    /// Entries in insertion order.
    package let entries: [(key: CELValue, value: CELValue)]
    let slots: [Slot]
    let index: [CELMapKey: Int]?

    struct Slot: Sendable {
        let hash: UInt64
        let key: CELMapKey
        let value: CELValue
        /// The key when it is a string ("" otherwise; the hash tells kinds apart).
        let string: String

        init(key: CELMapKey, value: CELValue) {
            self.hash = key.quickHash
            self.key = key
            self.value = value
            if case .string(let s) = key.storage { string = s } else { string = "" }
        }
    }

    static let linearLimit = 16

    /// Builds a map; fails on a key that is not int, uint, bool or string, or on a repeated key.
    package init(entries: [(key: CELValue, value: CELValue)]) throws(CELError) {
        var keys: [CELMapKey] = []
        keys.reserveCapacity(entries.count)
        for entry in entries {
            switch entry.key {
            case .bool, .int, .uint, .string: break
            default: throw CELError("unsupported key type")
            }
            guard let k = CELMapKey(lookup: entry.key) else { throw CELError("unsupported key type") }
            keys.append(k)
        }
        var index: [CELMapKey: Int] = [:]
        index.reserveCapacity(keys.count)
        for (i, k) in keys.enumerated() where index.updateValue(i, forKey: k) != nil {
            throw CELError("Failed with repeated key")
        }
        self.entries = entries
        self.slots = zip(keys, entries).map { Slot(key: $0, value: $1.value) }
        self.index = keys.count > Self.linearLimit ? index : nil
    }

    /// A map with string keys (JSON objects), ordered by key.
    package init(_ dictionary: [String: CELValue]) {
        let sorted = dictionary.sorted(by: { celStringLess($0.key, $1.key) })
        let entries = sorted.map { (key: CELValue.string($0.key), value: $0.value) }
        let keys = sorted.map { CELMapKey(string: $0.key) }
        self.entries = entries
        self.slots = zip(keys, entries).map { Slot(key: $0, value: $1.value) }
        if keys.count > Self.linearLimit {
            var index: [CELMapKey: Int] = [:]
            index.reserveCapacity(keys.count)
            for (i, k) in keys.enumerated() { index[k] = i }
            self.index = index
        } else {
            self.index = nil
        }
    }

    package var count: Int { entries.count }

    /// The value under a key, using CEL's numeric key equivalence.
    package subscript(key: CELValue) -> CELValue? {
        guard let k = CELMapKey(lookup: key) else { return nil }
        return value(forKey: k, quickHash: k.quickHash)
    }

    @inline(__always)
    func value(forKey key: CELMapKey) -> CELValue? { value(forKey: key, quickHash: key.quickHash) }

    /// Lookup of an ASCII string key with its precomputed hash: the hot path of `user.plan`.
    @inline(__always)
    func value(forASCIIKey key: String, quickHash: UInt64) -> CELValue? {
        if index != nil { return value(forKey: CELMapKey(string: key), quickHash: quickHash) }
        let n = key.utf8.count
        return slots.withUnsafeBufferPointer { buffer in
            for i in buffer.indices
            where buffer[i].hash == quickHash && buffer[i].string.utf8.count == n && buffer[i].string == key {
                return buffer[i].value
            }
            return nil
        }
    }

    @inline(__always)
    func value(forKey key: CELMapKey, quickHash: UInt64) -> CELValue? {
        if let index {
            guard let i = index[key] else { return nil }
            return entries[i].value
        }
        return slots.withUnsafeBufferPointer { buffer in
            for slot in buffer where slot.hash == quickHash && slot.key == key { return slot.value }
            return nil
        }
    }
}

extension CELMapKey {
    /// FNV-1a over the key's bytes: cheap, unseeded, used only for linear search of small maps.
    var quickHash: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        switch storage {
        case .bool(let b): return b ? 1 : 2
        case .int(let i): return UInt64(bitPattern: i) &* 0x9E37_79B9_7F4A_7C15 | 3
        case .bigUInt(let u): return u &* 0x9E37_79B9_7F4A_7C15 | 3
        case .string(let s):
            for byte in s.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return h & ~3
        }
    }
}

// MARK: - Time values

/// A point in time with nanosecond precision, in CEL's range 0001-01-01 … 9999-12-31 UTC.
package struct CELTimestamp: Sendable, Hashable, Comparable {
    package let seconds: Int64  // since the Unix epoch
    package let nanos: Int32  // 0 ..< 1e9

    static let minSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
    static let maxSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

    package init(seconds: Int64, nanos: Int32 = 0) throws(CELError) {
        var s = seconds
        var n = Int64(nanos)
        s += n / 1_000_000_000  // cannot overflow for in-range inputs checked below
        n %= 1_000_000_000
        if n < 0 {
            n += 1_000_000_000
            s -= 1
        }
        guard s >= Self.minSeconds, s <= Self.maxSeconds else { throw CELError("timestamp out of range") }
        self.seconds = s
        self.nanos = Int32(n)
    }

    package init(date: Date) throws(CELError) {
        let t = date.timeIntervalSince1970
        let s = t.rounded(.down)
        guard s.isFinite, let secs = Int64(exactly: s) else { throw CELError("timestamp out of range") }
        try self.init(seconds: secs, nanos: Int32(((t - s) * 1e9).rounded()).clamped(0, 999_999_999))
    }

    package static func < (a: Self, b: Self) -> Bool { (a.seconds, a.nanos) < (b.seconds, b.nanos) }
}

/// A signed span of time with nanosecond precision whose total nanoseconds fit in Int64 (±292 years).
package struct CELDuration: Sendable, Hashable, Comparable {
    package let seconds: Int64
    package let nanos: Int32  // same sign as seconds, |nanos| < 1e9

    package init(seconds: Int64, nanos: Int32 = 0) throws(CELError) {
        var s = seconds
        var n = Int64(nanos)
        let (q, overflow) = s.addingReportingOverflow(n / 1_000_000_000)
        guard !overflow else { throw CELError("duration out of range") }
        s = q
        n %= 1_000_000_000
        if s > 0 && n < 0 {
            s -= 1
            n += 1_000_000_000
        } else if s < 0 && n > 0 {
            s += 1
            n -= 1_000_000_000
        }
        self.seconds = s
        self.nanos = Int32(n)
        // cel-go's durations are Go `time.Duration`s: int64 nanoseconds, about ±292 years.
        guard totalNanos != nil else { throw CELError("duration out of range") }
    }

    package static func < (a: Self, b: Self) -> Bool { (a.seconds, a.nanos) < (b.seconds, b.nanos) }

    /// Total nanoseconds, if representable in Int64.
    var totalNanos: Int64? {
        let (m, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (t, o2) = m.addingReportingOverflow(Int64(nanos))
        return o1 || o2 ? nil : t
    }
}

extension Comparable {
    func clamped(_ lo: Self, _ hi: Self) -> Self { Swift.min(Swift.max(self, lo), hi) }
}

// MARK: - Strings compared by code points

/// CEL compares strings by code points; Swift's `==` uses canonical equivalence, so compare UTF-8.
/// Equality with a string known to be ASCII: Swift's `==` (canonical equivalence) plus equal UTF-8
/// length is byte equality then, because only non-ASCII scalars (at least two bytes each) can be
/// canonically equivalent to ASCII text (U+212A KELVIN SIGN to K, for one).
@inline(__always)
func celStringEqual(_ a: String, ascii b: String) -> Bool {
    a.utf8.count == b.utf8.count && a == b
}

extension String {
    var isASCIIText: Bool { utf8.allSatisfy { $0 < 0x80 } }
}

@inline(__always)
func celStringEqual(_ a: String, _ b: String) -> Bool {
    let n = a.utf8.count
    if n != b.utf8.count { return false }
    var a = a
    var b = b
    return a.withUTF8 { pa in
        b.withUTF8 { pb in
            if n > 32 { return memcmp(pa.baseAddress!, pb.baseAddress!, n) == 0 }
            for i in 0..<n where pa[i] != pb[i] { return false }
            return true
        }
    }
}

/// Code-point order equals UTF-8 byte order.
func celStringLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

// MARK: - Type, equality, conversions from Swift

extension CELValue {
    /// The runtime type of the value.
    package var celType: CELType {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        case .list: .list
        case .map: .map
        case .timestamp: .timestamp
        case .duration: .duration
        case .type: .type
        }
    }
}

extension CELValue: Equatable {
    /// CEL equality: heterogeneous numeric equality, NaN unequal to itself, lists and maps by content.
    package static func == (a: CELValue, b: CELValue) -> Bool { celEquals(a, b) }
}

func celEquals(_ a: CELValue, _ b: CELValue) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): return celStringEqual(x, y)
    case (.int(let x), .int(let y)): return x == y
    case (.bool(let x), .bool(let y)): return x == y
    case (.null, .null): return true
    case (.uint(let x), .uint(let y)): return x == y
    case (.double(let x), .double(let y)): return x == y
    case (.int, .uint), (.int, .double), (.uint, .int), (.uint, .double), (.double, .int), (.double, .uint):
        return compareNumbers(a, b) == 0
    case (.bytes(let x), .bytes(let y)): return x == y
    case (.list(let x), .list(let y)):
        guard x.count == y.count else { return false }
        for i in x.indices where !celEquals(x[i], y[i]) { return false }
        return true
    case (.map(let x), .map(let y)):
        if x === y { return true }
        guard x.count == y.count else { return false }
        for (k, v) in x.entries {
            guard let ok = CELMapKey(lookup: k), let w = y.value(forKey: ok), celEquals(v, w) else { return false }
        }
        return true
    case (.timestamp(let x), .timestamp(let y)): return x == y
    case (.duration(let x), .duration(let y)): return x == y
    case (.type(let x), .type(let y)): return x == y
    default: return false
    }
}

/// Compares two numbers of any numeric type on the real number line: -1, 0, 1, or nil when
/// either is NaN or a value is not a number.
func compareNumbers(_ a: CELValue, _ b: CELValue) -> Int? {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.uint(let x), .uint(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.double(let x), .double(let y)):
        if x.isNaN || y.isNaN { return nil }
        return x < y ? -1 : (x == y ? 0 : 1)
    case (.int(let x), .uint(let y)):
        if x < 0 { return -1 }
        let ux = UInt64(x)
        return ux < y ? -1 : (ux == y ? 0 : 1)
    case (.uint, .int): return compareNumbers(b, a).map { -$0 }
    case (.int(let x), .double(let y)): return compareIntDouble(x, y)
    case (.double, .int): return compareNumbers(b, a).map { -$0 }
    case (.uint(let x), .double(let y)):
        // As cel-go: out-of-range doubles order outside; otherwise compare as doubles (lossy).
        if y.isNaN { return nil }
        if y < 0 { return 1 }
        if y > 18_446_744_073_709_551_615.0 { return -1 }
        let dx = Double(x)
        return dx < y ? -1 : (dx == y ? 0 : 1)
    case (.double, .uint): return compareNumbers(b, a).map { -$0 }
    default: return nil
    }
}

private func compareIntDouble(_ x: Int64, _ y: Double) -> Int? {
    // As cel-go: out-of-range doubles order outside; otherwise compare as doubles (lossy).
    if y.isNaN { return nil }
    if y < -9_223_372_036_854_775_808.0 { return 1 }
    if y > 9_223_372_036_854_775_807.0 { return -1 }
    let dx = Double(x)
    return dx < y ? -1 : (dx == y ? 0 : 1)
}

extension CELValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    package init(integerLiteral value: Int64) { self = .int(value) }
    package init(floatLiteral value: Double) { self = .double(value) }
    package init(stringLiteral value: String) { self = .string(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: CELValue...) { self = .list(elements) }
    package init(dictionaryLiteral elements: (String, CELValue)...) {
        self = .map(CELMap(Dictionary(elements, uniquingKeysWith: { _, last in last })))
    }
    package init(nilLiteral: ()) { self = .null }
}

extension CELValue {
    /// A JSON object becomes a `map(string, dyn)`.
    package init(_ object: [String: CELValue]) { self = .map(CELMap(object)) }
    package init(_ list: [CELValue]) { self = .list(list) }
    package init(_ string: String) { self = .string(string) }
    package init(_ int: Int) { self = .int(Int64(int)) }
    package init(_ double: Double) { self = .double(double) }
    package init(_ bool: Bool) { self = .bool(bool) }
}

/// Decodes JSON (or any Decoder) into CEL values: objects become `map(string, dyn)`, arrays lists,
/// integral numbers that fit `int` (JSON itself only has doubles; CEL's JSON mapping says double, but
/// a flag context usually means `42` to be an int, and heterogeneous equality makes `42 == 42.0` true),
/// other numbers doubles.
extension CELValue: Decodable {
    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
            return
        }
        if let b = try? c.decode(Bool.self) {
            self = .bool(b)
            return
        }
        if let i = try? c.decode(Int64.self) {
            self = .int(i)
            return
        }
        if let d = try? c.decode(Double.self) {
            self = .double(d)
            return
        }
        if let s = try? c.decode(String.self) {
            self = .string(s)
            return
        }
        if let a = try? c.decode([CELValue].self) {
            self = .list(a)
            return
        }
        let o = try c.decode([String: CELValue].self)
        self = .map(CELMap(o))
    }
}

extension CELValue: CustomStringConvertible {
    /// CEL-like notation: `1`, `2u`, `"s"`, `b"…"`, `[1, 2]`, `{"k": v}`, `timestamp("…")`.
    package var description: String { Std.debugString(self) }
}
