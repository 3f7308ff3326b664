import Testing

@testable import CEL

/// The lint diagnostics a targeting-rule editor needs: unknown names, arity, positions, cost.
@Suite struct CheckerTests {
    let env = CELEnvironment(variables: ["user": .dyn, "targetingKey": .string, "__kaiten": .map])

    @Test func acceptsDeclaredNames() {
        let r = env.lint("user.plan == 'pro' && targetingKey.startsWith('acme') && __kaiten.license.type == 'x'")
        #expect(r.valid, "\(r.issues)")
        #expect(r.estimatedCost != nil)
    }

    @Test func unknownVariableWithPosition() throws {
        let r = env.lint("user.plan == 'pro' &&\n  usr.region == 'eu'")
        #expect(r.issues.count == 1)
        let issue = try #require(r.issues.first)
        #expect(issue.message == "undeclared reference to 'usr'")
        #expect(issue.position.line == 2)
        #expect(issue.position.column == 3)
        #expect(issue.endPosition?.column == 6)
    }

    @Test func comprehensionVariablesAreInScopeOnlyInside() {
        #expect(env.lint("[1, 2].all(x, x > 0)").valid)
        let r = env.lint("[1, 2].all(x, x > 0) && x == 1")
        #expect(r.issues.map(\.message) == ["undeclared reference to 'x'"])
    }

    @Test func unknownFunction() throws {
        let r = env.lint("user.name.startWith('a')")
        let issue = try #require(r.issues.first)
        #expect(issue.message == "undeclared reference to function 'startWith'")
        #expect(issue.position.column == 11)
        #expect(env.lint("frobnicate(1)").issues.first?.message == "undeclared reference to function 'frobnicate'")
    }

    @Test func wrongArity() throws {
        let r = env.lint("user.name.startsWith('a', 'b')")
        #expect(r.issues.first?.message == "function 'startsWith' expects 1 argument(s), got 2")
        #expect(env.lint("size(1, 2)").issues.first?.message == "function 'size' expects 1 argument(s), got 2")
        #expect(env.lint("'a'.int()").issues.first?.message == "function 'int' is not a method: call it as int(…)")
        #expect(env.lint("startsWith('a', 'b')").issues.first?.message == "function 'startsWith' must be called as a method: x.startsWith(…)")
    }

    @Test func callsOnLiteralsThatCannotSucceed() throws {
        let r = env.lint("user.seats > 3 && 1 + 'a' == 2")
        let issue = try #require(r.issues.first)
        #expect(issue.message == "no matching overload for '_+_' applied to (int, string)")
        #expect(issue.position.column == 21)
        #expect(env.lint("'abc'.startsWith(1)").issues.count == 1)
        // Values are not types: a division by zero or a `dyn` is left to evaluation, as in cel-go.
        #expect(env.lint("user.seats > 3 || 1 / 0 == 1").valid)
        #expect(env.lint("dyn(1) + 'a' == 2 || true").valid)
    }

    @Test func syntaxErrorsHavePositions() throws {
        let r = env.lint("user.plan == ")
        let issue = try #require(r.issues.first)
        #expect(issue.position.column == 14)
        #expect(env.lint("   ").issues.first?.message == "expression is empty")
        #expect(!env.lint("'\\uD800'").valid)  // surrogate code point
        #expect(!env.lint("if == 1").valid)  // reserved word
    }

    @Test func costEstimate() throws {
        let small = try #require(env.lint("user.plan == 'pro'").estimatedCost)
        #expect(small < 10)
        // Nested comprehensions multiply: 3^k iterations.
        var e = "true"
        for i in 0..<10 { e = "[1, 2, 3].all(x\(i), \(e))" }
        let r = env.lint(e)
        #expect(r.estimatedCost! > 20_000)
        #expect(r.issues.last?.message.contains("exceeds the limit of 20000") == true)
        // Estimates saturate instead of overflowing.
        var huge = "true"
        for i in 0..<40 { huge = "user.l.all(x\(i), \(huge))" }
        let sum = Array(repeating: "[\(huge)]", count: 8).joined(separator: " + ")
        #expect(env.lint(sum).estimatedCost == Int.max / 4)
        // A comprehension over a variable assumes 100 elements.
        let dynamic = try #require(env.lint("user.groups.exists(g, g.startsWith('beta-'))").estimatedCost)
        #expect(dynamic >= 200 && dynamic < 1_000)
    }

    @Test func compileRefusesWhatLintReports() {
        #expect(throws: CELCompileError.self) { try env.compile("nope == 1") }
        // Unchecked compilation defers unknown names to evaluation.
        #expect(throws: CELError.self) { try env.compile("nope == 1", check: false).evaluate() }
    }
}
