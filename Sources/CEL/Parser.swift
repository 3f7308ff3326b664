/// Options of the parser.
package struct CELParserOptions: Sendable {
    /// Expand `has`, `all`, `exists`, `exists_one`, `map` and `filter` (on by default).
    package var macros = true
    /// Deepest nesting of expressions (inside parentheses, lists, maps, call arguments, indexes and
    /// the branches of `?:`) the parser accepts.
    package var maxNesting = 64
    /// Highest AST the parser builds (also bounds left-associative operator chains).
    package var maxDepth = 250
    /// Longest source accepted, in code points.
    package var maxLength = 100_000
    package init() {}
}

/// A recursive-descent parser for CEL's grammar (cel-spec `doc/langdef.md`, §Syntax).
struct Parser {
    var lexer: Lexer
    var tok: Token
    var nesting = 0
    let options: CELParserOptions

    static func parse(_ source: String, options: CELParserOptions = CELParserOptions()) throws(CELSyntaxError) -> CELExpr {
        let scalars = Array(source.unicodeScalars)
        if scalars.count > options.maxLength {
            throw CELSyntaxError(
                message: "expression is longer than \(options.maxLength) code points",
                position: CELSourcePosition(offset: 0, in: []))
        }
        var p = try Parser(scalars, options: options)
        let e = try p.parseExpr()
        guard case .eof = p.tok.kind else { throw p.error("unexpected \(p.describe(p.tok))") }
        return e
    }

    init(_ src: [Unicode.Scalar], options: CELParserOptions) throws(CELSyntaxError) {
        lexer = Lexer(src)
        self.options = options
        tok = Token(kind: .eof, offset: 0)
        tok = try lexer.next()
    }

    func error(_ message: String, at offset: Int? = nil) -> CELSyntaxError {
        lexer.error(message, at: offset ?? tok.offset)
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: "end of input"
        case .punct(let p): "'\(p)'"
        case .ident(let s), .quotedIdent(let s): "identifier '\(s)'"
        default: "literal"
        }
    }

    mutating func advance() throws(CELSyntaxError) { tok = try lexer.next() }

    func isPunct(_ p: String) -> Bool {
        if case .punct(let q) = tok.kind { return q == p }
        return false
    }

    mutating func expect(_ p: String) throws(CELSyntaxError) {
        guard isPunct(p) else { throw error("expected '\(p)' but found \(describe(tok))") }
        try advance()
    }

    func make(_ kind: CELExprKind, at offset: Int) throws(CELSyntaxError) -> CELExpr {
        let e = CELExpr(kind, at: offset)
        if e.depth > options.maxDepth {
            throw error("expression nesting exceeds the limit of \(options.maxDepth)", at: offset)
        }
        return e
    }

    mutating func enter() throws(CELSyntaxError) {
        nesting += 1
        if nesting > options.maxNesting {
            throw error("expression nesting exceeds the limit of \(options.maxNesting)")
        }
    }

    // expr: or ('?' or ':' expr)?
    mutating func parseExpr() throws(CELSyntaxError) -> CELExpr {
        try enter()
        defer { nesting -= 1 }
        let cond = try parseBinary()
        guard isPunct("?") else { return cond }
        let at = tok.offset
        try advance()
        let a = try parseBinary()
        try expect(":")
        let b = try parseExpr()
        return try make(.call(target: nil, function: "_?_:_", args: [cond, a, b]), at: at)
    }

    /// The binary operator at the current token and its precedence (1 `||`, 2 `&&`, 3 relations and
    /// `in`, 4 `+ -`, 5 `* / %`).
    func binaryOperator() -> (function: String, precedence: Int)? {
        switch tok.kind {
        case .punct(let p):
            switch p {
            case "||": return ("_||_", 1)
            case "&&": return ("_&&_", 2)
            case "==", "!=", "<", "<=", ">", ">=": return (Self.relations[p]!, 3)
            case "+": return ("_+_", 4)
            case "-": return ("_-_", 4)
            case "*": return ("_*_", 5)
            case "/": return ("_/_", 5)
            case "%": return ("_%_", 5)
            default: return nil
            }
        case .ident("in"): return ("@in", 3)
        default: return nil
        }
    }

    /// Operator-precedence climbing: one frame per precedence level in use rather than one per
    /// grammar rule, so nested parentheses cost less stack. Operators are left-associative; chains
    /// of `&&` or `||` become balanced trees (as cel-go builds them), so long chains stay shallow.
    mutating func parseBinary() throws(CELSyntaxError) -> CELExpr {
        try climb(try parseUnary(), minPrecedence: 1)
    }

    mutating func climb(_ start: CELExpr, minPrecedence: Int) throws(CELSyntaxError) -> CELExpr {
        var lhs = start
        while let (fn, prec) = binaryOperator(), prec >= minPrecedence {
            if prec <= 2 {
                var terms = [lhs]
                var ats: [Int] = []
                while let (next, _) = binaryOperator(), next == fn {
                    ats.append(tok.offset)
                    try advance()
                    terms.append(try climb(try parseUnary(), minPrecedence: prec + 1))
                }
                lhs = try balance(terms, ats, fn)
                continue
            }
            let at = tok.offset
            try advance()
            let rhs = try climb(try parseUnary(), minPrecedence: prec + 1)
            lhs = try make(.call(target: nil, function: fn, args: [lhs, rhs]), at: at)
        }
        return lhs
    }

    /// Builds a balanced tree for a chain of `&&` or `||`.
    func balance(_ terms: [CELExpr], _ ats: [Int], _ op: String) throws(CELSyntaxError) -> CELExpr {
        if terms.count == 1 { return terms[0] }
        func build(_ lo: Int, _ hi: Int) throws(CELSyntaxError) -> CELExpr {
            if lo == hi { return terms[lo] }
            let mid = (lo + hi + 1) / 2
            let l = try build(lo, mid - 1)
            let r = try build(mid, hi)
            return try make(.call(target: nil, function: op, args: [l, r]), at: ats[mid - 1])
        }
        return try build(0, terms.count - 1)
    }

    static let relations: [String: String] = [
        "==": "_==_", "!=": "_!=_", "<": "_<_", "<=": "_<=_", ">": "_>_", ">=": "_>=_",
    ]

    mutating func parseUnary() throws(CELSyntaxError) -> CELExpr {
        if isPunct("!") {
            var ats: [Int] = []
            while isPunct("!") {
                ats.append(tok.offset)
                try advance()
            }
            var e = try parseMember()
            for at in ats.reversed() { e = try make(.call(target: nil, function: "!_", args: [e]), at: at) }
            return e
        }
        if isPunct("-") {
            var ats: [Int] = []
            while isPunct("-") {
                ats.append(tok.offset)
                try advance()
            }
            // The grammar's literal rule takes one minus sign: `-9223372036854775808` is a literal.
            var e: CELExpr
            switch tok.kind {
            case .int(let v):
                let at = ats.removeLast()
                try advance()
                e = try parseMemberSuffix(try make(.literal(.int(-v)), at: at))
            case .intMinMagnitude:
                let at = ats.removeLast()
                try advance()
                e = try parseMemberSuffix(try make(.literal(.int(Int64.min)), at: at))
            case .double(let v):
                let at = ats.removeLast()
                try advance()
                e = try parseMemberSuffix(try make(.literal(.double(-v)), at: at))
            default:
                e = try parseMember()
            }
            for at in ats.reversed() { e = try make(.call(target: nil, function: "-_", args: [e]), at: at) }
            return e
        }
        return try parseMember()
    }

    mutating func parseMember() throws(CELSyntaxError) -> CELExpr {
        try parseMemberSuffix(try parsePrimary())
    }

    /// The dotted name an expression spells (`a.b.c`), if it is only identifiers and selections.
    static func qualifiedName(_ e: CELExpr) -> String? {
        switch e.kind {
        case .ident(let n): return n
        case .select(let operand, let field, false):
            guard let p = qualifiedName(operand) else { return nil }
            return p + "." + field
        default: return nil
        }
    }

    mutating func parseMemberSuffix(_ start: CELExpr) throws(CELSyntaxError) -> CELExpr {
        var e = start
        while true {
            if isPunct(".") {
                let at = tok.offset
                try advance()
                let name: String
                var quoted = false
                switch tok.kind {
                case .ident(let n): name = n
                case .quotedIdent(let n):
                    name = n
                    quoted = true
                default: throw error("expected a field name after '.' but found \(describe(tok))")
                }
                try advance()
                if isPunct("(") && !quoted {
                    try advance()
                    let args = try parseArgs(closing: ")")
                    e = try expandReceiverCall(target: e, name: name, args: args, at: at)
                } else {
                    e = try make(.select(operand: e, field: name, testOnly: false), at: at)
                }
            } else if isPunct("[") {
                let at = tok.offset
                try advance()
                let index = try parseExpr()
                try expect("]")
                e = try make(.call(target: nil, function: "_[_]", args: [e, index]), at: at)
            } else if isPunct("{"), let name = Self.qualifiedName(e), isMessageStart(start) {
                let at = tok.offset
                try advance()
                let fields = try parseFieldInits()
                e = try make(.message(type: name, fields: fields), at: at)
            } else {
                return e
            }
        }
    }

    /// Message construction only follows a plain (possibly dotted) name.
    func isMessageStart(_ start: CELExpr) -> Bool {
        if case .ident = start.kind { return true }
        return false
    }

    mutating func parsePrimary() throws(CELSyntaxError) -> CELExpr {
        let at = tok.offset
        switch tok.kind {
        case .int(let v):
            try advance()
            return try make(.literal(.int(v)), at: at)
        case .intMinMagnitude: throw error("int literal out of range")
        case .uint(let v):
            try advance()
            return try make(.literal(.uint(v)), at: at)
        case .double(let v):
            try advance()
            return try make(.literal(.double(v)), at: at)
        case .string(let s):
            try advance()
            return try make(.literal(.string(s)), at: at)
        case .bytes(let b):
            try advance()
            return try make(.literal(.bytes(b)), at: at)
        case .quotedIdent: throw error("a quoted identifier can only follow '.'")
        case .eof: throw error("unexpected end of input")
        case .ident(let name):
            try advance()
            switch name {
            case "true": return try make(.literal(.bool(true)), at: at)
            case "false": return try make(.literal(.bool(false)), at: at)
            case "null": return try make(.literal(.null), at: at)
            case "in": throw error("reserved word 'in' cannot be an identifier", at: at)
            default: break
            }
            if Lexer.reserved.contains(name) { throw error("reserved identifier '\(name)'", at: at) }
            if isPunct("(") {
                try advance()
                let args = try parseArgs(closing: ")")
                return try expandGlobalCall(name: name, args: args, at: at)
            }
            return try make(.ident(name), at: at)
        case .punct(let p):
            switch p {
            case ".":
                return try parseLeadingDot(at: at)
            case "(":
                try advance()
                let e = try parseExpr()
                try expect(")")
                return e
            case "[":
                try advance()
                let elements = try parseArgs(closing: "]")
                return try make(.list(elements), at: at)
            case "{":
                return try parseMapLiteral(at: at)
            default:
                throw error("unexpected '\(p)'")
            }
        }
    }

    @inline(never)
    mutating func parseLeadingDot(at: Int) throws(CELSyntaxError) -> CELExpr {
        // A leading dot names the root scope: `.a.b`.
        try advance()
        guard case .ident(let name) = tok.kind, !Lexer.reserved.contains(name) else {
            throw error("expected an identifier after leading '.'")
        }
        try advance()
        if isPunct("(") {
            try advance()
            let args = try parseArgs(closing: ")")
            return try make(.call(target: nil, function: "." + name, args: args), at: at)
        }
        return try make(.ident("." + name), at: at)
    }

    @inline(never)
    mutating func parseMapLiteral(at: Int) throws(CELSyntaxError) -> CELExpr {
        try advance()
        var entries: [CELMapEntry] = []
        while !isPunct("}") {
            let k = try parseExpr()
            try expect(":")
            let v = try parseExpr()
            entries.append(CELMapEntry(key: k, value: v))
            if isPunct(",") { try advance() } else { break }
        }
        try expect("}")
        return try make(.map(entries), at: at)
    }

    mutating func parseArgs(closing: String) throws(CELSyntaxError) -> [CELExpr] {
        var args: [CELExpr] = []
        while !isPunct(closing) {
            args.append(try parseExpr())
            if isPunct(",") { try advance() } else { break }
        }
        try expect(closing)
        return args
    }

    mutating func parseFieldInits() throws(CELSyntaxError) -> [CELMessageField] {
        var fields: [CELMessageField] = []
        while !isPunct("}") {
            let at = tok.offset
            let name: String
            switch tok.kind {
            case .ident(let n), .quotedIdent(let n): name = n
            default: throw error("expected a field name but found \(describe(tok))")
            }
            try advance()
            try expect(":")
            fields.append(CELMessageField(name: name, value: try parseExpr(), offset: at))
            if isPunct(",") { try advance() } else { break }
        }
        try expect("}")
        return fields
    }

    // MARK: Macros

    @inline(never)
    mutating func expandGlobalCall(name: String, args: [CELExpr], at: Int) throws(CELSyntaxError) -> CELExpr {
        if options.macros && name == "has" && args.count == 1 {
            guard case .select(let operand, let field, false) = args[0].kind else {
                throw error("invalid argument to has() macro", at: args[0].offset)
            }
            return try make(.select(operand: operand, field: field, testOnly: true), at: at)
        }
        return try make(.call(target: nil, function: name, args: args), at: at)
    }

    @inline(never)
    mutating func expandReceiverCall(target: CELExpr, name: String, args: [CELExpr], at: Int) throws(CELSyntaxError) -> CELExpr {
        guard options.macros else { return try make(.call(target: target, function: name, args: args), at: at) }
        let kind: CELComprehension.Kind?
        switch (name, args.count) {
        case ("all", 2): kind = .all
        case ("exists", 2): kind = .exists
        case ("exists_one", 2): kind = .existsOne
        case ("map", 2), ("map", 3): kind = .map
        case ("filter", 2): kind = .filter
        default: kind = nil
        }
        guard let kind else { return try make(.call(target: target, function: name, args: args), at: at) }
        guard case .ident(let v) = args[0].kind, !v.hasPrefix(".") else {
            throw error("argument is not an identifier", at: args[0].offset)
        }
        let c: CELComprehension
        switch kind {
        case .map where args.count == 3:
            c = CELComprehension(kind: .map, iterVar: v, range: target, predicate: args[1], transform: args[2])
        case .map:
            c = CELComprehension(kind: .map, iterVar: v, range: target, predicate: nil, transform: args[1])
        default:
            c = CELComprehension(kind: kind, iterVar: v, range: target, predicate: args[1], transform: nil)
        }
        return try make(.comprehension(c), at: at)
    }
}
