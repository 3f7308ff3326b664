import CEL
import Foundation
import KaitenCore
import Synchronization

/// Targeting rules as CEL programs: how they are linted for authors and compiled, once, for evaluation.
///
/// A rule may read `targetingKey` (a string), the server's facts under `__kaiten` (a map) and any other root
/// the evaluation context supplies, each `dyn`. Unlike the Go original, which builds an environment per
/// context shape, a rule compiles once into one program whatever the context: a root the context lacks is a
/// runtime error, which makes the rule broken for that evaluation exactly as a failed check did there.
package enum TargetingRules {
    static let costLimit = 20_000
    static let factsRoot = "__kaiten"

    /// The facts the server fills under `__kaiten`, and the fields a rule may read of each.
    static let factFields: [String: Set<String>?] = [
        "license": ["slug", "familySlug", "type"],
        "entitlements": nil,
        "instance": ["id", "slug", "name", "status", "lifecycleStage", "metadata"],
        "customer": ["id", "name", "slug", "externalCustomerId", "domain"],
        "deploymentZone": ["id", "name", "slug", "type", "metadata", "currentReleaseId"],
    ]
    static let entitlementFields: Set<String> = ["limit", "used", "remaining", "percentage", "unlimited"]

    static let environment: CELEnvironment = {
        var environment = CELEnvironment(variables: ["targetingKey": .string, factsRoot: .map])
        environment.costLimit = costLimit
        environment.timeout = .seconds(1)
        return environment
    }()

    /// A problem an author can fix, at its place in the rule.
    package struct Issue: Sendable, Equatable {
        package let message: String
        package let line: Int
        package let column: Int
        let endLine: Int?
        let endColumn: Int?

        var json: JSONValue {
            var members: [String: JSONValue] = ["message": .string(message), "line": .integer(Int64(line)), "column": .integer(Int64(column))]
            if let endLine, let endColumn {
                members["endLine"] = .integer(Int64(endLine))
                members["endColumn"] = .integer(Int64(endColumn))
            }
            return .object(members)
        }
    }

    /// Everything wrong with `rule`: syntax, unknown functions, wrong arity, a cost estimate past the limit, and
    /// `__kaiten` fields that do not exist (entitlement slugs checked against `entitlementSlugs` when given).
    static func lint(_ rule: String, entitlementSlugs: Set<String>? = nil) -> [Issue] {
        let expression: CELExpr
        do {
            expression = try environment.parse(rule)
        } catch {
            return error.issues.map(Issue.init)
        }
        var declared = environment
        var factPaths: [(path: [String], offset: Int)] = []
        for root in FreeIdentifiers.roots(of: expression, paths: &factPaths) where declared.variables[root] == nil {
            declared.variables[root] = .dyn
        }
        var issues = (rule.allSatisfy(\.isWhitespace) ? [] : declared.lint(rule).issues).map(Issue.init)
        if rule.allSatisfy(\.isWhitespace) {
            issues.append(
                Issue(message: "the rule is blank: write `true` for a rule that always matches", line: 1, column: 1, endLine: nil, endColumn: nil))
        }
        let lines = Array(rule.unicodeScalars)
        for (path, offset) in factPaths {
            guard let problem = factProblem(path, entitlementSlugs: entitlementSlugs) else { continue }
            let position = Position(offset: offset, in: lines)
            issues.append(Issue(message: problem, line: position.line, column: position.column, endLine: nil, endColumn: nil))
        }
        return issues
    }

    /// Why a `__kaiten.…` path names no fact, or nil when it does.
    static func factProblem(_ path: [String], entitlementSlugs: Set<String>?) -> String? {
        guard let fact = path.first else { return nil }
        guard let fields = factFields[fact] else {
            return "__kaiten.\(fact) is not a fact: expected one of \(factFields.keys.sorted().joined(separator: ", "))"
        }
        guard path.count > 1 else { return nil }
        if fact == "entitlements" {
            let slug = path[1]
            if let entitlementSlugs, !entitlementSlugs.contains(slug) {
                return "no entitlement \"\(slug)\" in this organization"
            }
            if path.count > 2, !entitlementFields.contains(path[2]) {
                return
                    "__kaiten.entitlements.\(slug).\(path[2]) is not a field: expected one of \(entitlementFields.sorted().joined(separator: ", "))"
            }
            return nil
        }
        if let fields, !fields.contains(path[1]) {
            return "__kaiten.\(fact).\(path[1]) is not a field: expected one of \(fields.sorted().joined(separator: ", "))"
        }
        return nil
    }

    /// Compiled rules, kept by their text: a rule compiles once, and a rule that does not compile is not tried
    /// again. Bounded, since rule texts come from clients; past the bound a rule is compiled on the spot.
    static let programs = ProgramCache(capacity: 4_096)
}

/// The programs of rule texts seen so far.
final class ProgramCache: Sendable {
    private let capacity: Int
    private let programs = Mutex<[String: Result<CELProgram, CELCompileError>]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    func program(_ rule: String) -> Result<CELProgram, CELCompileError> {
        if let cached = programs.withLock({ $0[rule] }) { return cached }
        let compiled: Result<CELProgram, CELCompileError>
        do {
            compiled = .success(try TargetingRules.environment.compile(rule, check: false))
        } catch {
            compiled = .failure(error)
        }
        programs.withLock { programs in
            if programs.count < capacity { programs[rule] = compiled }
        }
        return compiled
    }
}

/// The roots an expression reads that no comprehension binds, and the `__kaiten` paths it selects.
private enum FreeIdentifiers {
    static func roots(of expression: CELExpr, paths: inout [(path: [String], offset: Int)]) -> Set<String> {
        var roots: Set<String> = []
        visit(expression, bound: [], roots: &roots, paths: &paths)
        return roots
    }

    private static func visit(_ expression: CELExpr, bound: Set<String>, roots: inout Set<String>, paths: inout [(path: [String], offset: Int)]) {
        switch expression.kind {
        case .literal:
            break
        case .ident(let name):
            if !bound.contains(name) { roots.insert(name) }
        case .select(let operand, _, _):
            if let path = selection(expression), path.first == TargetingRules.factsRoot, !bound.contains(TargetingRules.factsRoot) {
                paths.append((Array(path.dropFirst()), expression.offset))
                roots.insert(TargetingRules.factsRoot)
                return
            }
            visit(operand, bound: bound, roots: &roots, paths: &paths)
        case .call(let target, _, let arguments):
            if let target { visit(target, bound: bound, roots: &roots, paths: &paths) }
            for argument in arguments { visit(argument, bound: bound, roots: &roots, paths: &paths) }
        case .list(let elements):
            for element in elements { visit(element, bound: bound, roots: &roots, paths: &paths) }
        case .map(let entries):
            for entry in entries {
                visit(entry.key, bound: bound, roots: &roots, paths: &paths)
                visit(entry.value, bound: bound, roots: &roots, paths: &paths)
            }
        case .message(_, let fields):
            for field in fields { visit(field.value, bound: bound, roots: &roots, paths: &paths) }
        case .comprehension(let comprehension):
            visit(comprehension.range, bound: bound, roots: &roots, paths: &paths)
            let inner = bound.union([comprehension.iterVar])
            if let predicate = comprehension.predicate { visit(predicate, bound: inner, roots: &roots, paths: &paths) }
            if let transform = comprehension.transform { visit(transform, bound: inner, roots: &roots, paths: &paths) }
        }
    }

    /// `a.b.c` as `["a", "b", "c"]` when the selection is a plain dotted name.
    private static func selection(_ expression: CELExpr) -> [String]? {
        switch expression.kind {
        case .ident(let name): [name]
        case .select(let operand, let field, false): selection(operand).map { $0 + [field] }
        default: nil
        }
    }
}

/// A 1-based line and column of an offset in a rule.
private struct Position {
    let line: Int
    let column: Int

    init(offset: Int, in source: [Unicode.Scalar]) {
        var line = 1
        var column = 1
        for scalar in source.prefix(offset) {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        self.line = line
        self.column = column
    }
}

extension TargetingRules.Issue {
    init(_ issue: CELIssue) {
        self.init(
            message: issue.message,
            line: issue.position.line,
            column: issue.position.column,
            endLine: issue.endPosition?.line,
            endColumn: issue.endPosition?.column
        )
    }
}
