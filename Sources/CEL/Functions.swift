/// The implementation of a function for one arity. A receiver-style call passes its receiver first.
package enum CELFunctionImpl: Sendable {
    case unary(@Sendable (CELValue) throws(CELError) -> CELValue)
    case binary(@Sendable (CELValue, CELValue) throws(CELError) -> CELValue)
    case ternary(@Sendable (CELValue, CELValue, CELValue) throws(CELError) -> CELValue)
    case nary(@Sendable ([CELValue]) throws(CELError) -> CELValue)

    func call(_ args: [CELValue]) throws(CELError) -> CELValue {
        switch self {
        case .unary(let f): return try f(args[0])
        case .binary(let f): return try f(args[0], args[1])
        case .ternary(let f): return try f(args[0], args[1], args[2])
        case .nary(let f): return try f(args)
        }
    }
}

/// A function the checker and planner know: which call styles and arities exist, and their code.
package struct CELFunction: Sendable {
    package let name: String
    /// Argument counts accepted as a global call `f(a, b)`.
    package let globalArities: Set<Int>
    /// Argument counts (not counting the receiver) accepted as a receiver call `r.f(a)`.
    package let receiverArities: Set<Int>
    /// Implementations by total argument count (receiver included).
    let impls: [Int: CELFunctionImpl]
    /// Estimated cost of one call, for the static estimate and the runtime budget.
    let cost: Int

    package init(
        name: String, global: Set<Int> = [], receiver: Set<Int> = [], impls: [Int: CELFunctionImpl], cost: Int = 1
    ) {
        self.name = name
        self.globalArities = global
        self.receiverArities = receiver
        self.impls = impls
        self.cost = cost
    }
}

enum Builtins {
    static let all: [String: CELFunction] = {
        var d: [String: CELFunction] = [:]
        func add(_ f: CELFunction) { d[f.name] = f }
        func bin(_ n: String, _ f: @escaping @Sendable (CELValue, CELValue) throws(CELError) -> CELValue) {
            add(CELFunction(name: n, global: [2], impls: [2: .binary(f)]))
        }
        bin("_+_", Std.add)
        bin("_-_", Std.subtract)
        bin("_*_", Std.multiply)
        bin("_/_", Std.divide)
        bin("_%_", Std.modulo)
        bin("_[_]", Std.index)
        bin("_==_") { a, b in .bool(celEquals(a, b)) }
        bin("_!=_") { a, b in .bool(!celEquals(a, b)) }
        bin("_<_") { a, b throws(CELError) in .bool(try Std.order(a, b, "_<_").map { $0 < 0 } ?? false) }
        bin("_<=_") { a, b throws(CELError) in .bool(try Std.order(a, b, "_<=_").map { $0 <= 0 } ?? false) }
        bin("_>_") { a, b throws(CELError) in .bool(try Std.order(a, b, "_>_").map { $0 > 0 } ?? false) }
        bin("_>=_") { a, b throws(CELError) in .bool(try Std.order(a, b, "_>=_").map { $0 >= 0 } ?? false) }
        bin("@in") { a, b throws(CELError) in .bool(try Std.contains(b, element: a)) }
        add(CELFunction(name: "-_", global: [1], impls: [1: .unary(Std.negate)]))
        add(CELFunction(name: "!_", global: [1], impls: [1: .unary(Std.not)]))
        // The logical operators and the conditional are planned specially; declared for the checker.
        add(CELFunction(name: "_&&_", global: [2], impls: [:]))
        add(CELFunction(name: "_||_", global: [2], impls: [:]))
        add(CELFunction(name: "_?_:_", global: [3], impls: [:]))

        add(CELFunction(name: "size", global: [1], receiver: [0], impls: [1: .unary(Std.size)]))
        add(CELFunction(name: "contains", receiver: [1], impls: [2: .binary(Std.stringContains)]))
        add(CELFunction(name: "startsWith", receiver: [1], impls: [2: .binary(Std.startsWith)]))
        add(CELFunction(name: "endsWith", receiver: [1], impls: [2: .binary(Std.endsWith)]))
        add(CELFunction(name: "matches", global: [2], receiver: [1], impls: [2: .binary(Std.matches)], cost: 10))

        func conv(_ n: String, _ f: @escaping @Sendable (CELValue) throws(CELError) -> CELValue) {
            add(CELFunction(name: n, global: [1], impls: [1: .unary(f)]))
        }
        conv("int", Std.toInt)
        conv("uint", Std.toUInt)
        conv("double", Std.toDouble)
        conv("string", Std.toStringValue)
        conv("bytes", Std.toBytes)
        conv("bool", Std.toBool)
        conv("timestamp", Std.toTimestamp)
        conv("duration", Std.toDuration)
        conv("dyn") { $0 }
        conv("type") { Std.typeOf($0) }

        for n in [
            "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getHours",
            "getMinutes", "getSeconds", "getMilliseconds",
        ] {
            add(
                CELFunction(
                    name: n, receiver: [0, 1],
                    impls: [
                        1: .unary { a throws(CELError) in try Std.timeAccessor(n, a, nil) },
                        2: .binary { a, z throws(CELError) in try Std.timeAccessor(n, a, z) },
                    ]))
        }

        // Strings extension.
        add(CELFunction(name: "charAt", receiver: [1], impls: [2: .binary(StringsExt.charAt)]))
        add(CELFunction(name: "indexOf", receiver: [1, 2], impls: [2: .nary(StringsExt.indexOf), 3: .nary(StringsExt.indexOf)]))
        add(CELFunction(name: "lastIndexOf", receiver: [1, 2], impls: [2: .nary(StringsExt.lastIndexOf), 3: .nary(StringsExt.lastIndexOf)]))
        add(CELFunction(name: "lowerAscii", receiver: [0], impls: [1: .unary(StringsExt.lowerAscii)]))
        add(CELFunction(name: "upperAscii", receiver: [0], impls: [1: .unary(StringsExt.upperAscii)]))
        add(CELFunction(name: "replace", receiver: [2, 3], impls: [3: .nary(StringsExt.replace), 4: .nary(StringsExt.replace)]))
        add(CELFunction(name: "split", receiver: [1, 2], impls: [2: .nary(StringsExt.split), 3: .nary(StringsExt.split)]))
        add(CELFunction(name: "substring", receiver: [1, 2], impls: [2: .nary(StringsExt.substring), 3: .nary(StringsExt.substring)]))
        add(CELFunction(name: "trim", receiver: [0], impls: [1: .unary(StringsExt.trim)]))
        add(CELFunction(name: "join", receiver: [0, 1], impls: [1: .nary(StringsExt.join), 2: .nary(StringsExt.join)]))
        add(CELFunction(name: "format", receiver: [1], impls: [2: .binary(StringsExt.format)]))
        add(CELFunction(name: "strings.quote", global: [1], impls: [1: .unary(StringsExt.quote)]))
        add(CELFunction(name: "reverse", receiver: [0], impls: [1: .unary(StringsExt.reverse)]))
        return d
    }()
}
