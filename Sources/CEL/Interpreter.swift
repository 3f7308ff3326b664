import Foundation

/// The mutable state of one evaluation, passed `inout` through the planned tree.
struct Frame {
    let slots: [CELValue?]
    let dynamic: [String: CELValue]
    var locals: [CELValue]
    var cost = 0
    let costLimit: Int
    /// Monotonic nanoseconds after which evaluation stops. Programs without comprehensions or
    /// regular expressions leave it at `.max`: their running time is bounded by their size and the
    /// cost limit, so they skip the clock read.
    var deadline: UInt64 = .max
    var iterations = 0

    @inline(__always)
    mutating func charge(_ n: Int) throws(CELError) {
        cost &+= n
        if cost > costLimit { throw CELError.costLimitExceeded }
    }

    /// Called once per comprehension iteration: charges one step and checks the clock every 100.
    @inline(__always)
    mutating func iterate() throws(CELError) {
        try charge(1)
        iterations &+= 1
        if iterations % 100 == 0 { try checkDeadline() }
    }

    /// The size-proportional part of a call's cost: operations on long strings (searching, counting,
    /// copying) cost more than one step, and so do the functions that walk a list (`lists`: `in`,
    /// `join`, `format`, equality). Map lookups are constant-time and are not charged by size.
    @inline(__always)
    static func sizeCost(_ v: CELValue, lists: Bool) -> Int {
        switch v {
        case .string(let s): return s.utf8.count >> 7
        case .bytes(let b): return b.count >> 7
        case .list(let l): return lists ? l.count >> 4 : 0
        case .map(let m): return lists ? m.count >> 4 : 0
        default: return 0
        }
    }

    func checkDeadline() throws(CELError) {
        if DispatchTime.now().uptimeNanoseconds > deadline { throw CELError.deadlineExceeded }
    }
}

/// A node of the planned program. Subclasses are immutable; the tree is shared by concurrent evaluations.
class Node: @unchecked Sendable {
    func eval(_ f: inout Frame) throws(CELError) -> CELValue { throw CELError("internal error: abstract node") }
    /// The value of a node whose result is fixed at plan time.
    var constant: CELValue? { nil }
}

final class ConstNode: Node, @unchecked Sendable {
    let value: CELValue
    init(_ value: CELValue) { self.value = value }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue { value }
    override var constant: CELValue? { value }
}

final class ErrorNode: Node, @unchecked Sendable {
    let error: CELError
    init(_ error: CELError) { self.error = error }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue { throw error }
}

final class SlotNode: Node, @unchecked Sendable {
    let index: Int
    let name: String
    init(_ index: Int, _ name: String) {
        self.index = index
        self.name = name
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        guard let v = f.slots[index] else { throw CELError("no such attribute: '\(name)'") }
        return v
    }
}

final class LocalNode: Node, @unchecked Sendable {
    let index: Int
    init(_ index: Int) { self.index = index }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue { f.locals[index] }
}

/// An identifier chain (`a.b.c`) not declared at plan time: the longest bound name wins at run time.
final class DynamicNameNode: Node, @unchecked Sendable {
    /// Candidate names, longest first, with the fields to select after each.
    let candidates: [(name: String, fields: [String])]
    let fallback: CELValue?
    init(_ candidates: [(String, [String])], fallback: CELValue?) {
        self.candidates = candidates.map { (name: $0.0, fields: $0.1) }
        self.fallback = fallback
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        for c in candidates {
            if var v = f.dynamic[c.name] {
                for field in c.fields { v = try select(v, field) }
                return v
            }
        }
        if let fallback { return fallback }
        throw CELError("no such attribute: '\(candidates.last?.name ?? "")'")
    }
}

@inline(__always)
func select(_ v: CELValue, _ field: String) throws(CELError) -> CELValue {
    guard case .map(let m) = v else {
        throw CELError("type '\(v.celType.name)' does not support field selection")
    }
    guard let r = m.value(forKey: CELMapKey(string: field)) else { throw CELError("no such key: '\(field)'") }
    return r
}

final class SelectNode: Node, @unchecked Sendable {
    let operand: Node
    let field: String
    let key: CELMapKey
    let hash: UInt64
    let ascii: Bool
    init(_ operand: Node, _ field: String) {
        self.operand = operand
        self.field = field
        self.key = CELMapKey(string: field)
        self.hash = key.quickHash
        self.ascii = field.isASCIIText
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let v = try operand.eval(&f)
        if case .map(let m) = v {
            if ascii {
                if let r = m.value(forASCIIKey: field, quickHash: hash) { return r }
            } else if let r = m.value(forKey: key, quickHash: hash) {
                return r
            }
            throw CELError("no such key: '\(field)'")
        }
        throw CELError("type '\(v.celType.name)' does not support field selection")
    }
}

final class HasNode: Node, @unchecked Sendable {
    let operand: Node
    let key: CELMapKey
    init(_ operand: Node, _ field: String) {
        self.operand = operand
        self.key = CELMapKey(string: field)
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let v = try operand.eval(&f)
        guard case .map(let m) = v else { throw CELError("invalid type for field selection: \(v.celType.name)") }
        return .bool(m.value(forKey: key) != nil)
    }
}

final class ListNode: Node, @unchecked Sendable {
    let elements: [Node]
    init(_ elements: [Node]) { self.elements = elements }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        var out: [CELValue] = []
        out.reserveCapacity(elements.count)
        for e in elements { out.append(try e.eval(&f)) }
        try f.charge(1)
        return .list(out)
    }
}

final class MapNode: Node, @unchecked Sendable {
    let entries: [(Node, Node)]
    init(_ entries: [(Node, Node)]) { self.entries = entries }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        var out: [(key: CELValue, value: CELValue)] = []
        out.reserveCapacity(entries.count)
        for (k, v) in entries { out.append((try k.eval(&f), try v.eval(&f))) }
        try f.charge(1)
        return .map(try CELMap(entries: out))
    }
}

// MARK: Logic

/// `a && b` and `a || b`, commutative over errors: the absorbing value (false for `&&`, true for `||`) on
/// either side wins over an error on the other.
final class LogicalNode: Node, @unchecked Sendable {
    let lhs: Node
    let rhs: Node
    /// The value that decides the result on its own.
    let absorbing: Bool
    let function: String
    init(_ lhs: Node, _ rhs: Node, absorbing: Bool, function: String) {
        self.lhs = lhs
        self.rhs = rhs
        self.absorbing = absorbing
        self.function = function
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        var pending: CELError?
        do {
            let l = try lhs.eval(&f)
            if case .bool(let b) = l {
                if b == absorbing { return l }
            } else {
                pending = CELError.noOverload(function, [l])
            }
        } catch {
            if error.isLimit { throw error }
            pending = error
        }
        let r: CELValue
        do { r = try rhs.eval(&f) } catch {
            if error.isLimit { throw error }
            throw pending ?? error
        }
        guard case .bool(let b) = r else { throw pending ?? CELError.noOverload(function, [r]) }
        if b == absorbing { return r }
        if let pending { throw pending }
        return r
    }
}

final class ConditionalNode: Node, @unchecked Sendable {
    let cond: Node
    let then: Node
    let otherwise: Node
    init(_ cond: Node, _ then: Node, _ otherwise: Node) {
        self.cond = cond
        self.then = then
        self.otherwise = otherwise
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let c = try cond.eval(&f)
        guard case .bool(let b) = c else { throw CELError.noOverload("_?_:_", [c]) }
        return b ? try then.eval(&f) : try otherwise.eval(&f)
    }
}

// MARK: Calls

final class EqualsNode: Node, @unchecked Sendable {
    let lhs: Node
    let rhs: Node
    let negate: Bool
    init(_ lhs: Node, _ rhs: Node, negate: Bool) {
        self.lhs = lhs
        self.rhs = rhs
        self.negate = negate
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let l = try lhs.eval(&f)
        let r = try rhs.eval(&f)
        try f.charge(1 + Frame.sizeCost(l, lists: true))
        return .bool(celEquals(l, r) != negate)
    }
}

/// `x == 'literal'`: the common shape of targeting rules.
final class EqualsStringNode: Node, @unchecked Sendable {
    let lhs: Node
    let string: String
    let negate: Bool
    let ascii: Bool
    init(_ lhs: Node, _ string: String, negate: Bool) {
        self.lhs = lhs
        self.string = string
        self.negate = negate
        self.ascii = string.isASCIIText
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let l = try lhs.eval(&f)
        try f.charge(1)
        if case .string(let s) = l {
            let equal = ascii ? celStringEqual(s, ascii: string) : celStringEqual(s, string)
            return .bool(equal != negate)
        }
        return .bool(negate)  // other types are never equal to a string
    }
}

/// `x in [constant list]`: strings and integers are matched without building values.
final class InConstantListNode: Node, @unchecked Sendable {
    let lhs: Node
    let list: [CELValue]
    let strings: [String]?
    let asciiStrings: Bool
    let keys: Set<CELMapKey>?
    init(_ lhs: Node, _ list: [CELValue]) {
        self.lhs = lhs
        self.list = list
        var strings: [String] = []
        for v in list {
            if case .string(let s) = v { strings.append(s) }
        }
        self.strings = strings.count == list.count && list.count <= 16 ? strings : nil
        self.asciiStrings = strings.allSatisfy(\.isASCIIText)
        var keys = Set<CELMapKey>()
        var keyable = list.count > 16
        for v in list where keyable {
            switch v {
            case .string, .bool, .int, .uint:
                if let k = CELMapKey(lookup: v) { keys.insert(k) } else { keyable = false }
            default: keyable = false
            }
        }
        self.keys = keyable ? keys : nil
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let l = try lhs.eval(&f)
        try f.charge(1)
        if let strings {
            guard case .string(let s) = l else { return .bool(false) }
            if asciiStrings {
                for c in strings where celStringEqual(s, ascii: c) { return .bool(true) }
            } else {
                for c in strings where celStringEqual(s, c) { return .bool(true) }
            }
            return .bool(false)
        }
        if let keys {
            switch l {
            case .string, .bool, .int, .uint:
                if let k = CELMapKey(lookup: l) { return .bool(keys.contains(k)) }
            case .double(let d):
                if let k = CELMapKey(lookup: l) { return .bool(keys.contains(k)) }
                if d.isNaN || d.rounded() != d { return .bool(false) }
            default: return .bool(false)
            }
        }
        for e in list where celEquals(e, l) { return .bool(true) }
        return .bool(false)
    }
}

enum Comparison { case lt, le, gt, ge }

final class CompareNode: Node, @unchecked Sendable {
    let lhs: Node
    let rhs: Node
    let op: Comparison
    let name: String
    init(_ lhs: Node, _ rhs: Node, _ op: Comparison, _ name: String) {
        self.lhs = lhs
        self.rhs = rhs
        self.op = op
        self.name = name
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let l = try lhs.eval(&f)
        let r = try rhs.eval(&f)
        try f.charge(1)
        let c: Int?
        if case .int(let x) = l, case .int(let y) = r {
            c = x < y ? -1 : (x == y ? 0 : 1)
        } else {
            c = try Std.order(l, r, name)
        }
        guard let c else { return .bool(false) }
        switch op {
        case .lt: return .bool(c < 0)
        case .le: return .bool(c <= 0)
        case .gt: return .bool(c > 0)
        case .ge: return .bool(c >= 0)
        }
    }
}

final class AddNode: Node, @unchecked Sendable {
    let lhs: Node
    let rhs: Node
    init(_ lhs: Node, _ rhs: Node) {
        self.lhs = lhs
        self.rhs = rhs
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let l = try lhs.eval(&f)
        let r = try rhs.eval(&f)
        // Concatenation costs its size, so repeated doubling of lists or strings hits the budget.
        switch (l, r) {
        case (.list(let a), .list(let b)): try f.charge(1 + (a.count + b.count) / 10)
        case (.string(let a), .string(let b)): try f.charge(1 + (a.utf8.count + b.utf8.count) / 100)
        case (.bytes(let a), .bytes(let b)): try f.charge(1 + (a.count + b.count) / 100)
        default: try f.charge(1)
        }
        return try Std.add(l, r)
    }
}

final class Call1Node: Node, @unchecked Sendable {
    let fn: @Sendable (CELValue) throws(CELError) -> CELValue
    let arg: Node
    let cost: Int
    init(_ fn: @escaping @Sendable (CELValue) throws(CELError) -> CELValue, _ arg: Node, cost: Int) {
        self.fn = fn
        self.arg = arg
        self.cost = cost
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let a = try arg.eval(&f)
        try f.charge(cost + Frame.sizeCost(a, lists: false))
        return try fn(a)
    }
}

final class Call2Node: Node, @unchecked Sendable {
    let fn: @Sendable (CELValue, CELValue) throws(CELError) -> CELValue
    let a: Node
    let b: Node
    let cost: Int
    let walksLists: Bool
    /// False when the function reads only as much of its first argument as of the second
    /// (`startsWith`, `endsWith`).
    let chargesFirst: Bool
    init(
        _ fn: @escaping @Sendable (CELValue, CELValue) throws(CELError) -> CELValue, _ a: Node, _ b: Node, cost: Int,
        walksLists: Bool, chargesFirst: Bool
    ) {
        self.fn = fn
        self.a = a
        self.b = b
        self.cost = cost
        self.walksLists = walksLists
        self.chargesFirst = chargesFirst
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let x = try a.eval(&f)
        let y = try b.eval(&f)
        let first = chargesFirst ? Frame.sizeCost(x, lists: walksLists) : 0
        try f.charge(cost + first + Frame.sizeCost(y, lists: walksLists))
        return try fn(x, y)
    }
}

final class CallNNode: Node, @unchecked Sendable {
    let impl: CELFunctionImpl
    let args: [Node]
    let cost: Int
    let walksLists: Bool
    init(_ impl: CELFunctionImpl, _ args: [Node], cost: Int, walksLists: Bool) {
        self.impl = impl
        self.args = args
        self.cost = cost
        self.walksLists = walksLists
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        var values: [CELValue] = []
        values.reserveCapacity(args.count)
        var charge = cost
        for a in args {
            let v = try a.eval(&f)
            charge += Frame.sizeCost(v, lists: walksLists)
            values.append(v)
        }
        try f.charge(charge)
        return try impl.call(values)
    }
}

/// `s.matches(re)`; a literal pattern is compiled once at plan time. Matching stops at the
/// evaluation deadline (ICU backtracks, so a hostile pattern could otherwise run for very long).
final class MatchesNode: Node, @unchecked Sendable {
    let arg: Node
    let pattern: Node
    let regex: Regex?
    init(_ arg: Node, pattern: Node, regex: Regex?) {
        self.arg = arg
        self.pattern = pattern
        self.regex = regex
    }
    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let v = try arg.eval(&f)
        let re: Regex
        if let regex {
            re = regex
        } else {
            let p = try pattern.eval(&f)
            guard case .string(let ps) = p else { throw CELError.noOverload("matches", [v, p]) }
            re = try Regex.compile(ps)
        }
        guard case .string(let s) = v else { throw CELError.noOverload("matches", [v]) }
        try f.charge(1 + s.utf8.count / 10)
        return .bool(try re.matches(s, deadline: f.deadline))
    }
}

// MARK: Comprehensions

final class ComprehensionNode: Node, @unchecked Sendable {
    let kind: CELComprehension.Kind
    let range: Node
    let slot: Int
    let predicate: Node?
    let transform: Node?
    init(_ kind: CELComprehension.Kind, range: Node, slot: Int, predicate: Node?, transform: Node?) {
        self.kind = kind
        self.range = range
        self.slot = slot
        self.predicate = predicate
        self.transform = transform
    }

    override func eval(_ f: inout Frame) throws(CELError) -> CELValue {
        let r = try range.eval(&f)
        let items: [CELValue]
        switch r {
        case .list(let l): items = l
        case .map(let m): items = m.entries.map(\.key)
        default: throw CELError("expression does not evaluate to a list or map: \(r.celType.name)")
        }
        let saved = f.locals[slot]
        defer { f.locals[slot] = saved }
        switch kind {
        case .all, .exists:
            let decisive = kind == .exists  // true ends exists, false ends all
            var pending: CELError?
            for item in items {
                try f.iterate()
                f.locals[slot] = item
                do {
                    let v = try predicate!.eval(&f)
                    guard case .bool(let b) = v else {
                        pending = pending ?? CELError.noOverload(kind.rawValue, [v])
                        continue
                    }
                    if b == decisive { return .bool(decisive) }
                } catch {
                    if error.isLimit { throw error }
                    pending = pending ?? error
                }
            }
            if let pending { throw pending }
            return .bool(!decisive)
        case .existsOne:
            var count = 0
            for item in items {
                try f.iterate()
                f.locals[slot] = item
                let v = try predicate!.eval(&f)
                guard case .bool(let b) = v else { throw CELError.noOverload("exists_one", [v]) }
                if b { count += 1 }
            }
            return .bool(count == 1)
        case .map:
            var out: [CELValue] = []
            out.reserveCapacity(items.count)
            for item in items {
                try f.iterate()
                f.locals[slot] = item
                if let predicate {
                    let v = try predicate.eval(&f)
                    guard case .bool(let b) = v else { throw CELError.noOverload("map", [v]) }
                    if !b { continue }
                }
                out.append(try transform!.eval(&f))
            }
            return .list(out)
        case .filter:
            var out: [CELValue] = []
            for item in items {
                try f.iterate()
                f.locals[slot] = item
                let v = try predicate!.eval(&f)
                guard case .bool(let b) = v else { throw CELError.noOverload("filter", [v]) }
                if b { out.append(item) }
            }
            return .list(out)
        }
    }
}
