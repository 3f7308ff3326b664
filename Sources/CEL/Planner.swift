/// Turns a parsed expression into the node tree a ``Program`` evaluates: identifiers become slot
/// indexes, functions are resolved to their implementation, literal lists and maps and calls on
/// constants are folded, and common shapes get specialised nodes.
struct Planner {
    let slotIndex: [String: Int]
    let functions: [String: CELFunction]
    var scopes: [(name: String, slot: Int)] = []
    var localCount = 0
    /// Whether the program loops or matches regular expressions, and so needs a deadline.
    var needsClock = false
    /// Calls on literals that cannot succeed (`1 + 'a'`): type errors cel-go's checker reports too.
    var typeErrors: [(offset: Int, message: String)] = []

    init(slotIndex: [String: Int], functions: [String: CELFunction]) {
        self.slotIndex = slotIndex
        self.functions = functions
    }

    func local(_ name: String) -> Int? {
        scopes.last(where: { $0.name == name })?.slot
    }

    mutating func plan(_ e: CELExpr) -> Node {
        switch e.kind {
        case .literal(let v): return ConstNode(v)
        case .ident(let name): return planName([name])
        case .select(let operand, let field, let testOnly):
            if testOnly { return HasNode(plan(operand), field) }
            if let parts = Self.nameParts(e), local(parts[0]) == nil { return planName(parts) }
            return SelectNode(plan(operand), field)
        case .list(let elements):
            let nodes = elements.map { plan($0) }
            if nodes.allSatisfy({ $0.constant != nil }) { return ConstNode(.list(nodes.map { $0.constant! })) }
            return ListNode(nodes)
        case .map(let entries):
            let nodes = entries.map { (plan($0.key), plan($0.value)) }
            if nodes.allSatisfy({ $0.0.constant != nil && $0.1.constant != nil }),
                let m = try? CELMap(entries: nodes.map { ($0.0.constant!, $0.1.constant!) })
            {
                return ConstNode(.map(m))
            }
            return MapNode(nodes)
        case .message(let type, _):
            return ErrorNode(CELError("unknown type '\(type)': protobuf messages are not supported"))
        case .comprehension(let c):
            let range = plan(c.range)
            let slot = localCount
            localCount += 1
            needsClock = true
            scopes.append((c.iterVar, slot))
            let predicate = c.predicate.map { plan($0) }
            let transform = c.transform.map { plan($0) }
            scopes.removeLast()
            return ComprehensionNode(c.kind, range: range, slot: slot, predicate: predicate, transform: transform)
        case .call(let target, let function, let args):
            return planCall(target: target, function: function, args: args, offset: target == nil ? e.offset : e.offset + 1)
        }
    }

    /// `a.b.c` as ["a", "b", "c"] when the expression is only identifiers and selections.
    static func nameParts(_ e: CELExpr) -> [String]? {
        switch e.kind {
        case .ident(let n): return [n]
        case .select(let operand, let field, false):
            guard var p = nameParts(operand) else { return nil }
            p.append(field)
            return p
        default: return nil
        }
    }

    /// Resolves a dotted name: a comprehension variable, then the longest declared variable,
    /// then a type name, and otherwise a run-time lookup of the longest bound name.
    mutating func planName(_ parts: [String]) -> Node {
        var parts = parts
        var rootOnly = false
        if parts[0].hasPrefix(".") {
            parts[0].removeFirst()
            rootOnly = true
        }
        if !rootOnly, let slot = local(parts[0]) {
            var n: Node = LocalNode(slot)
            for f in parts.dropFirst() { n = SelectNode(n, f) }
            return n
        }
        var candidates: [(String, [String])] = []
        for k in stride(from: parts.count, through: 1, by: -1) {
            let name = parts[0..<k].joined(separator: ".")
            let rest = Array(parts[k...])
            if let slot = slotIndex[name] {
                var n: Node = SlotNode(slot, name)
                for f in rest { n = SelectNode(n, f) }
                return n
            }
            if let t = CELType.byIdentifier[name], rest.isEmpty, candidates.isEmpty {
                return ConstNode(.type(t))
            }
            candidates.append((name, rest))
        }
        return DynamicNameNode(candidates, fallback: nil)
    }

    mutating func planCall(target: CELExpr?, function: String, args: [CELExpr], offset: Int) -> Node {
        var function = function
        var target = target
        // `strings.quote(x)`: a namespaced global function, not a method of a variable `strings`.
        if let t = target, let parts = Self.nameParts(t), local(parts[0]) == nil,
            functions[parts.joined(separator: ".") + "." + function] != nil, slotIndex[parts[0]] == nil
        {
            function = parts.joined(separator: ".") + "." + function
            target = nil
        }
        var argExprs = args
        if let target { argExprs.insert(target, at: 0) }
        let nodes = argExprs.map { plan($0) }

        switch function {
        case "_&&_": return LogicalNode(nodes[0], nodes[1], absorbing: false, function: function)
        case "_||_": return LogicalNode(nodes[0], nodes[1], absorbing: true, function: function)
        case "_?_:_":
            if let c = nodes[0].constant, case .bool(let b) = c { return b ? nodes[1] : nodes[2] }
            return ConditionalNode(nodes[0], nodes[1], nodes[2])
        default: break
        }

        guard let decl = functions[function] else {
            return ErrorNode(CELError("no such function: '\(function)'"))
        }
        let arities = target == nil ? decl.globalArities : decl.receiverArities
        guard arities.contains(args.count), let impl = decl.impls[nodes.count] else {
            return ErrorNode(CELError.noOverload(function))
        }

        // Fold calls on constants (errors stay for run time). `dyn` is not folded: it hides a type
        // from the checker, and so must it from the type errors below.
        if function != "dyn", nodes.allSatisfy({ $0.constant != nil }) {
            do {
                return ConstNode(try impl.call(nodes.map { $0.constant! }))
            } catch {
                let literals = argExprs.allSatisfy { if case .literal = $0.kind { true } else { false } }
                if literals && error.message.hasPrefix("no matching overload") {
                    typeErrors.append((offset, error.message))
                }
            }
        }

        switch function {
        case "_==_", "_!=_":
            let negate = function == "_!=_"
            if case .string(let s)? = nodes[1].constant { return EqualsStringNode(nodes[0], s, negate: negate) }
            if case .string(let s)? = nodes[0].constant { return EqualsStringNode(nodes[1], s, negate: negate) }
            return EqualsNode(nodes[0], nodes[1], negate: negate)
        case "@in":
            if case .list(let l)? = nodes[1].constant { return InConstantListNode(nodes[0], l) }
        case "_<_": return CompareNode(nodes[0], nodes[1], .lt, function)
        case "_<=_": return CompareNode(nodes[0], nodes[1], .le, function)
        case "_>_": return CompareNode(nodes[0], nodes[1], .gt, function)
        case "_>=_": return CompareNode(nodes[0], nodes[1], .ge, function)
        case "_+_": return AddNode(nodes[0], nodes[1])
        case "matches":
            needsClock = true
            if case .string(let p)? = nodes[1].constant {
                do { return MatchesNode(nodes[0], pattern: nodes[1], regex: try Regex.compile(p)) } catch {
                    return ErrorNode(error)
                }
            }
            return MatchesNode(nodes[0], pattern: nodes[1], regex: nil)
        default: break
        }
        // `in` on a list, `join` and `format` walk their list arguments.
        let walksLists = function == "@in" || function == "join" || function == "format"
        switch impl {
        case .unary(let f): return Call1Node(f, nodes[0], cost: decl.cost)
        case .binary(let f):
            let chargesFirst = function != "startsWith" && function != "endsWith"
            return Call2Node(f, nodes[0], nodes[1], cost: decl.cost, walksLists: walksLists, chargesFirst: chargesFirst)
        default: return CallNNode(impl, nodes, cost: decl.cost, walksLists: walksLists)
        }
    }
}
