import Foundation

/// Compilation failed: syntax errors or checker issues, each with its position.
package struct CELCompileError: Error, Sendable, CustomStringConvertible {
    package let issues: [CELIssue]
    package var description: String { issues.map(\.description).joined(separator: "; ") }
}

/// The result of linting an expression.
package struct CELLintResult: Sendable {
    package let issues: [CELIssue]
    /// Worst-case cost estimate (nil when the expression does not parse).
    package let estimatedCost: Int?
    package var valid: Bool { issues.isEmpty }
}

/// The declarations and limits expressions are compiled against.
package struct CELEnvironment: Sendable {
    /// Declared variables and their types (`.dyn` when unknown). Names may be dotted (`a.b`).
    package var variables: [String: CELType] {
        didSet { layout = SlotLayout(variables.keys) }
    }
    /// Where each declared variable lives in an activation; shared by every program compiled from
    /// this environment, so one bound activation serves all of them.
    private(set) var layout: SlotLayout
    /// Functions known to the checker and planner: the standard library and the strings extension,
    /// plus any added with ``declare(_:)``.
    package private(set) var functions: [String: CELFunction] = Builtins.all
    package var parserOptions = CELParserOptions()
    /// Evaluation budget in steps (function calls, list and map constructions, comprehension
    /// iterations, and size-proportional charges for concatenation).
    package var costLimit = 20_000
    /// Wall-clock budget of one evaluation.
    package var timeout: Duration = .seconds(1)
    /// Size assumed by the cost estimate for a list or map that is not a literal.
    package var assumedCollectionSize = 100

    package init(variables: [String: CELType] = [:]) {
        self.variables = variables
        self.layout = SlotLayout(variables.keys)
    }

    /// Binds variables once for evaluating any number of programs compiled from this environment
    /// (for example every targeting rule of every flag, against one request's context).
    package func bind(_ variables: [String: CELValue]) -> CELActivation {
        layout.bind(variables)
    }

    /// Adds (or replaces) a function.
    package mutating func declare(_ function: CELFunction) {
        functions[function.name] = function
    }

    package func parse(_ source: String) throws(CELCompileError) -> CELExpr {
        do {
            return try Parser.parse(source, options: parserOptions)
        } catch {
            throw CELCompileError(issues: [CELIssue(message: error.message, position: error.position, endPosition: nil)])
        }
    }

    /// Parses and checks: unknown variables and functions, arity, calls on literals that cannot
    /// succeed (`1 + 'a'`), and the cost estimate (an estimate above ``costLimit`` is an issue).
    package func lint(_ source: String) -> CELLintResult {
        if source.allSatisfy(\.isWhitespace) {
            return CELLintResult(
                issues: [CELIssue(message: "expression is empty", position: CELSourcePosition(offset: 0, in: []), endPosition: nil)],
                estimatedCost: nil)
        }
        switch analyze(source) {
        case .failure(let error): return CELLintResult(issues: error.issues, estimatedCost: nil)
        case .success(let (_, issues, cost)):
            var issues = issues
            if cost > costLimit {
                issues.append(
                    CELIssue(
                        message: "estimated cost \(cost) exceeds the limit of \(costLimit)",
                        position: CELSourcePosition(offset: 0, in: []), endPosition: nil))
            }
            return CELLintResult(issues: issues, estimatedCost: cost)
        }
    }

    /// Parses, checks (unless `check` is false) and plans an expression into a ``CELProgram``.
    /// The cost estimate is not a compile error: the run-time budget enforces the limit.
    package func compile(_ source: String, check: Bool = true) throws(CELCompileError) -> CELProgram {
        guard check else { return plan(try parse(source)) }
        switch analyze(source) {
        case .failure(let error): throw error
        case .success(let (program, issues, _)):
            if !issues.isEmpty { throw CELCompileError(issues: issues) }
            return program
        }
    }

    /// Parse, check and plan, with every issue found, sorted by position.
    private func analyze(_ source: String) -> Result<(CELProgram, [CELIssue], Int), CELCompileError> {
        let expr: CELExpr
        do { expr = try parse(source) } catch { return .failure(error) }
        let scalars = Array(source.unicodeScalars)
        var checker = Checker(
            source: scalars, variables: variables, functions: functions, assumedSize: assumedCollectionSize)
        let cost = checker.check(expr)
        let (program, typeErrors) = plan(expr, estimatedCost: cost)
        var issues = checker.issues
        for t in typeErrors {
            issues.append(CELIssue(message: t.message, position: CELSourcePosition(offset: t.offset, in: scalars), endPosition: nil))
        }
        issues.sort { $0.position.offset < $1.position.offset }
        return .success((program, issues, cost))
    }

    /// Plans an already parsed expression without checking it.
    package func plan(_ expr: CELExpr) -> CELProgram { plan(expr, estimatedCost: 0).program }

    func plan(_ expr: CELExpr, estimatedCost: Int) -> (program: CELProgram, typeErrors: [(offset: Int, message: String)]) {
        var planner = Planner(slotIndex: layout.index, functions: functions)
        let root = planner.plan(expr)
        let program = CELProgram(
            root: root, layout: layout, localCount: planner.localCount, needsClock: planner.needsClock,
            costLimit: costLimit, timeout: timeout, estimatedCost: estimatedCost)
        return (program, planner.typeErrors)
    }
}

/// Variables for evaluation, laid out in an environment's slots.
package struct CELActivation: Sendable {
    let slots: [CELValue?]
    let dynamic: [String: CELValue]
    let layout: SlotLayout
}

/// The slot of each declared variable.
final class SlotLayout: Sendable {
    let names: [String]
    let index: [String: Int]

    init(_ names: some Sequence<String>) {
        self.names = names.sorted()
        var index: [String: Int] = [:]
        for (i, n) in self.names.enumerated() { index[n] = i }
        self.index = index
    }

    func bind(_ variables: [String: CELValue]) -> CELActivation {
        var slots = [CELValue?](repeating: nil, count: names.count)
        for (i, name) in names.enumerated() { slots[i] = variables[name] }
        return CELActivation(slots: slots, dynamic: variables, layout: self)
    }
}

/// A compiled expression: immutable and `Sendable`, evaluated by any number of tasks at once.
package final class CELProgram: Sendable {
    let root: Node
    let layout: SlotLayout
    let localCount: Int
    let needsClock: Bool
    package let costLimit: Int
    package let timeout: Duration
    let timeoutNanos: UInt64
    /// The checker's worst-case estimate (0 when compiled unchecked).
    package let estimatedCost: Int

    init(
        root: Node, layout: SlotLayout, localCount: Int, needsClock: Bool, costLimit: Int,
        timeout: Duration, estimatedCost: Int
    ) {
        self.root = root
        self.layout = layout
        self.localCount = localCount
        self.needsClock = needsClock
        self.costLimit = costLimit
        self.timeout = timeout
        self.estimatedCost = estimatedCost
        let (s, a) = timeout.components
        self.timeoutNanos = UInt64(max(0, s)) &* 1_000_000_000 &+ UInt64(max(0, a / 1_000_000_000))
    }

    /// Binds variables to this program's slots once, for repeated evaluation. The activation also
    /// serves every other program compiled from the same environment.
    package func bind(_ variables: [String: CELValue]) -> CELActivation {
        layout.bind(variables)
    }

    package func evaluate(_ variables: [String: CELValue] = [:]) throws(CELError) -> CELValue {
        try evaluate(bind(variables))
    }

    package func evaluate(_ activation: CELActivation) throws(CELError) -> CELValue {
        if activation.layout !== layout { return try evaluate(bind(activation.dynamic)) }
        var frame = Frame(
            slots: activation.slots, dynamic: activation.dynamic,
            locals: localCount == 0 ? [] : [CELValue](repeating: .null, count: localCount),
            costLimit: costLimit)
        if needsClock { frame.deadline = DispatchTime.now().uptimeNanoseconds &+ timeoutNanos }
        return try root.eval(&frame)
    }

    /// Times `iterations` evaluations (after a warm-up) in five batches and returns the median
    /// nanoseconds per evaluation. For `kaiten bench flags`.
    package func benchmark(_ activation: CELActivation, iterations: Int = 1_000_000) -> Double {
        let perBatch = max(1, iterations / 5)
        var sink = 0
        for _ in 0..<min(perBatch, 10_000) {
            if case .bool(true)? = try? evaluate(activation) { sink &+= 1 }
        }
        var samples: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<5 {
            let start = clock.now
            for _ in 0..<perBatch {
                if case .bool(true)? = try? evaluate(activation) { sink &+= 1 }
            }
            let d = clock.now - start
            let ns = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
            samples.append(ns / Double(perBatch))
        }
        if sink == -1 { print(sink) }  // keep the loop observable
        return samples.sorted()[2]
    }
}

extension CELEnvironment {
    /// The reference benchmark: `user.plan == 'pro' && user.region in ['eu', 'us']`, compiled once,
    /// bound once. Returns the median ns per evaluation.
    package static func benchmarkTargetingRule(iterations: Int = 1_000_000) -> Double {
        let env = CELEnvironment(variables: ["user": .dyn])
        guard let program = try? env.compile("user.plan == 'pro' && user.region in ['eu', 'us']") else { return .nan }
        let user: [String: CELValue] = ["plan": "pro", "region": "us", "email": "a@example.com"]
        let activation = program.bind(["user": CELValue(user)])
        return program.benchmark(activation, iterations: iterations)
    }
}
