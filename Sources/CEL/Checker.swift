/// A problem found while compiling or linting an expression.
package struct CELIssue: Sendable, Equatable, CustomStringConvertible {
    package let message: String
    package let position: CELSourcePosition
    package let endPosition: CELSourcePosition?
    package var description: String { "\(position): \(message)" }
}

/// The checker: resolves every identifier and function against the declarations, checks call
/// arities, and estimates the worst-case cost. It does not infer types (values are `dyn`), so it
/// accepts everything that can evaluate and reports what certainly cannot.
struct Checker {
    let source: [Unicode.Scalar]
    let variables: [String: CELType]
    let functions: [String: CELFunction]
    /// Size assumed for a list or map whose size is unknown before evaluation.
    let assumedSize: Int
    var scopes: [String] = []
    var issues: [CELIssue] = []

    init(source: [Unicode.Scalar], variables: [String: CELType], functions: [String: CELFunction], assumedSize: Int) {
        self.source = source
        self.variables = variables
        self.functions = functions
        self.assumedSize = assumedSize
    }

    mutating func report(_ message: String, at offset: Int, length: Int? = nil) {
        let p = CELSourcePosition(offset: offset, in: source)
        let end = length.map { CELSourcePosition(offset: offset + $0, in: source) }
        issues.append(CELIssue(message: message, position: p, endPosition: end))
    }

    /// Whether a dotted name resolves: a comprehension variable, a declared variable (the longest
    /// declared prefix), or a type name.
    func resolves(_ parts: [String]) -> Bool {
        var parts = parts
        if parts[0].hasPrefix(".") { parts[0].removeFirst() } else if scopes.contains(parts[0]) { return true }
        for k in stride(from: parts.count, through: 1, by: -1) {
            let name = parts[0..<k].joined(separator: ".")
            if variables[name] != nil { return true }
            if k == parts.count, CELType.byIdentifier[name] != nil { return true }
        }
        return false
    }

    /// Checks `e` and returns its estimated cost.
    @discardableResult
    mutating func check(_ e: CELExpr) -> Int {
        switch e.kind {
        case .literal: return 0
        case .ident(let name):
            if !resolves([name]) { report("undeclared reference to '\(name)'", at: e.offset, length: name.count) }
            return 1
        case .select(let operand, let field, let testOnly):
            if !testOnly, let parts = Planner.nameParts(e) {
                if !resolves(parts) {
                    // Report the root, which is what is missing.
                    if !resolves([parts[0]]) {
                        report("undeclared reference to '\(parts[0])'", at: Self.rootOffset(e), length: parts[0].count)
                    }
                }
                return parts.count
            }
            _ = field
            return sat(1, check(operand))
        case .list(let elements):
            return elements.reduce(1) { sat($0, check($1)) }
        case .map(let entries):
            return entries.reduce(1) { sat($0, sat(check($1.key), check($1.value))) }
        case .message(let type, let fields):
            report("unknown type '\(type)': protobuf messages are not supported", at: e.offset, length: 1)
            return fields.reduce(1) { sat($0, check($1.value)) }
        case .comprehension(let c):
            let rangeCost = check(c.range)
            var size = assumedSize
            if case .list(let l) = c.range.kind { size = l.count }
            if case .map(let m) = c.range.kind { size = m.count }
            if case .literal(.list(let l)) = c.range.kind { size = l.count }
            scopes.append(c.iterVar)
            let body = sat(sat(c.predicate.map { check($0) } ?? 0, c.transform.map { check($0) } ?? 0), 1)
            scopes.removeLast()
            let (perIteration, overflow) = body.multipliedReportingOverflow(by: size)
            return overflow ? Self.maxCost : sat(rangeCost, perIteration)
        case .call(let target, let function, let args):
            var name = function
            var isReceiver = target != nil
            var cost = 0
            if let t = target, let parts = Planner.nameParts(t), functions[parts.joined(separator: ".") + "." + function] != nil,
                !resolves([parts[0]])
            {
                name = parts.joined(separator: ".") + "." + function
                isReceiver = false
            } else if let t = target {
                cost = sat(cost, check(t))
            }
            for a in args { cost = sat(cost, check(a)) }
            // Receiver calls start at the '.', global calls at the name.
            let at = target != nil && isReceiver ? e.offset + 1 : e.offset
            guard let decl = functions[name] else {
                report("undeclared reference to function '\(name)'", at: at, length: function.count)
                return sat(cost, 1)
            }
            let arities = isReceiver ? decl.receiverArities : decl.globalArities
            if !arities.contains(args.count) {
                let other = isReceiver ? decl.globalArities : decl.receiverArities
                if arities.isEmpty && !other.isEmpty {
                    report(
                        isReceiver
                            ? "function '\(name)' is not a method: call it as \(name)(…)"
                            : "function '\(name)' must be called as a method: x.\(name)(…)",
                        at: at, length: function.count)
                } else {
                    let expected = arities.sorted().map(String.init).joined(separator: " or ")
                    report(
                        "function '\(name)' expects \(expected.isEmpty ? "another form of call" : expected + " argument(s)"), got \(args.count)",
                        at: at, length: function.count)
                }
            }
            return sat(cost, decl.cost)
        }
    }

    /// Estimates saturate: a nest of comprehensions can exceed any integer.
    static let maxCost = Int.max / 4

    func sat(_ a: Int, _ b: Int) -> Int { min(a, Self.maxCost) + min(b, Self.maxCost) >= Self.maxCost ? Self.maxCost : a + b }

    static func rootOffset(_ e: CELExpr) -> Int {
        if case .select(let operand, _, _) = e.kind { return rootOffset(operand) }
        return e.offset
    }
}
