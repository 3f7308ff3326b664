/// A parsed CEL expression. `offset` is the position of the node's first character (in Unicode
/// scalars) in the source; `depth` is the height of the tree below it (a leaf has depth 1).
package struct CELExpr: Sendable {
    package let kind: CELExprKind
    package let offset: Int
    let depth: Int

    init(_ kind: CELExprKind, at offset: Int) {
        self.kind = kind
        self.offset = offset
        var d = 0
        switch kind {
        case .literal, .ident: d = 0
        case .select(let operand, _, _): d = operand.depth
        case .call(let target, _, let args):
            d = target?.depth ?? 0
            for a in args { d = max(d, a.depth) }
        case .list(let elements): for e in elements { d = max(d, e.depth) }
        case .map(let entries): for e in entries { d = max(d, e.key.depth, e.value.depth) }
        case .message(_, let fields): for f in fields { d = max(d, f.value.depth) }
        case .comprehension(let c):
            d = max(c.range.depth, c.predicate?.depth ?? 0, c.transform?.depth ?? 0)
        }
        depth = d + 1
    }
}

package indirect enum CELExprKind: Sendable {
    case literal(CELValue)
    case ident(String)
    /// `operand.field`; `testOnly` marks the presence test of `has(operand.field)`.
    case select(operand: CELExpr, field: String, testOnly: Bool)
    /// A global call (`target == nil`) or a receiver-style call `target.function(args)`.
    /// Operators are calls too, named as in cel-go: `_+_`, `_&&_`, `_?_:_`, `_[_]`, `!_`, `-_`, `@in`.
    case call(target: CELExpr?, function: String, args: [CELExpr])
    case list([CELExpr])
    case map([CELMapEntry])
    /// `Type{field: value}` message construction (parsed; evaluating it needs protobuf types).
    case message(type: String, fields: [CELMessageField])
    case comprehension(CELComprehension)
}

package struct CELMapEntry: Sendable {
    package let key: CELExpr
    package let value: CELExpr
}

package struct CELMessageField: Sendable {
    package let name: String
    package let value: CELExpr
    package let offset: Int
}

/// The expansion of a comprehension macro.
package struct CELComprehension: Sendable {
    package enum Kind: String, Sendable {
        case all, exists
        case existsOne = "exists_one"
        case map, filter
    }
    package let kind: Kind
    package let iterVar: String
    package let range: CELExpr
    /// The predicate of all/exists/exists_one/filter, and the filter of three-argument map.
    package let predicate: CELExpr?
    /// The transform of map.
    package let transform: CELExpr?
}

/// A position in the source: 1-based line and column, in Unicode scalars.
package struct CELSourcePosition: Sendable, Equatable, CustomStringConvertible {
    package let offset: Int
    package let line: Int
    package let column: Int
    package var description: String { "\(line):\(column)" }

    init(offset: Int, in source: [Unicode.Scalar]) {
        var line = 1
        var col = 1
        var i = 0
        while i < offset && i < source.count {
            if source[i] == "\n" {
                line += 1
                col = 1
            } else {
                col += 1
            }
            i += 1
        }
        self.offset = offset
        self.line = line
        self.column = col
    }
}
