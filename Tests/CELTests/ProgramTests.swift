import Foundation
import Testing

@testable import CEL

/// Compiled programs and activations: how a host binds a request's context once and evaluates many rules.
@Suite struct ProgramTests {
    @Test func oneActivationServesEveryProgramOfAnEnvironment() throws {
        let env = CELEnvironment(variables: ["user": .dyn, "targetingKey": .string])
        let rules = try [
            "user.plan == 'pro'", "targetingKey.startsWith('acme')", "user.seats >= 10 && 'beta' in user.tags",
        ].map { try env.compile($0) }
        let activation = env.bind([
            "targetingKey": "acme-eu",
            "user": ["plan": "pro", "seats": 12, "tags": ["beta"]],
        ])
        #expect(try rules.map { try $0.evaluate(activation) } == [true, true, true])
    }

    @Test func anActivationOfAnotherLayoutIsRebound() throws {
        let a = try CELEnvironment(variables: ["x": .int, "y": .int]).compile("x - y")
        let b = try CELEnvironment(variables: ["y": .int, "z": .int]).compile("y - z")
        let activation = a.bind(["x": 10, "y": 3, "z": 1])
        #expect(try a.evaluate(activation) == 7)
        #expect(try b.evaluate(activation) == 2)
    }

    @Test func unboundDeclaredVariableIsAnError() throws {
        let p = try CELEnvironment(variables: ["user": .dyn]).compile("user.plan == 'pro'")
        #expect(throws: CELError("no such attribute: 'user'")) { try p.evaluate([:]) }
        // ... which `||` can absorb.
        let q = try CELEnvironment(variables: ["user": .dyn]).compile("user.plan == 'pro' || true")
        #expect(try q.evaluate([:]) == true)
    }

    @Test func missingKeysAndWrongTypesAreErrorsNotCrashes() throws {
        let p = try CELEnvironment(variables: ["user": .dyn]).compile("user.plan == 'pro'")
        #expect(throws: CELError("no such key: 'plan'")) { try p.evaluate(["user": ["region": "eu"]]) }
        #expect(throws: CELError("type 'int' does not support field selection")) { try p.evaluate(["user": 1]) }
        let has = try CELEnvironment(variables: ["user": .dyn]).compile("has(user.plan) && user.plan == 'pro'")
        #expect(try has.evaluate(["user": ["region": "eu"]]) == false)
    }

    @Test func dottedVariableNames() throws {
        let env = CELEnvironment(variables: ["a.b": .dyn, "a": .dyn])
        let p = try env.compile("a.b.c")
        #expect(try p.evaluate(["a.b": ["c": 1], "a": ["b": ["c": 2]]]) == 1)
    }

    @Test func errorsAreCommutativeInLogic() throws {
        let env = CELEnvironment(variables: ["m": .dyn])
        let vars: [String: CELValue] = ["m": ["a": 1]]
        #expect(try env.compile("m.missing == 1 && false").evaluate(vars) == false)
        #expect(try env.compile("false && m.missing == 1").evaluate(vars) == false)
        #expect(try env.compile("m.missing == 1 || true").evaluate(vars) == true)
        #expect(throws: CELError.self) { try env.compile("m.missing == 1 && true").evaluate(vars) }
        #expect(throws: CELError.self) { try env.compile("m.missing == 1 ? 1 : 2").evaluate(vars) }
        #expect(try env.compile("true ? 1 : m.missing").evaluate(vars) == 1)
        #expect(throws: CELError.self) { try env.compile("[1, 0].exists_one(x, 1 / x == 1)").evaluate(vars) }
        #expect(try env.compile("[0, 1].exists(x, 1 / x == 1)").evaluate(vars) == true)
        #expect(try env.compile("[0, 1].all(x, 1 / x == 5)").evaluate(vars) == false)
    }

    @Test func timeZonesAndArithmetic() throws {
        let env = CELEnvironment(variables: ["now": .timestamp])
        let now = try CELTimestamp(rfc3339: "2026-03-29T00:30:00Z")  // the night Paris moves to summer time
        let vars: [String: CELValue] = ["now": .timestamp(now)]
        #expect(try env.compile("now.getHours('Europe/Paris')").evaluate(vars) == 1)
        #expect(try env.compile("(now + duration('2h')).getHours('Europe/Paris')").evaluate(vars) == 4)
        #expect(try env.compile("now.getDayOfWeek()").evaluate(vars) == 0)  // a Sunday
        #expect(try env.compile("now.getHours('-09:30')").evaluate(vars) == 15)
        #expect(try env.compile("string(now - timestamp('2026-01-01T00:00:00Z'))").evaluate(vars) == "7518600s")
        #expect(try env.compile("now > timestamp('2026-01-01T00:00:00+01:00') && duration('1h30m') == duration('90m')").evaluate(vars) == true)
        #expect(throws: CELError.self) { try env.compile("now.getHours('Mars/Olympus')").evaluate(vars) }
    }

    @Test func hostFunctions() throws {
        var env = CELEnvironment(variables: ["user": .dyn])
        env.declare(
            CELFunction(
                name: "semverAtLeast", receiver: [1],
                impls: [
                    2: .binary { version, minimum throws(CELError) in
                        guard case .string(let v) = version, case .string(let m) = minimum else {
                            throw CELError("semverAtLeast expects strings")
                        }
                        let parts = { (s: String) in s.split(separator: ".").map { Int($0) ?? 0 } }
                        return .bool(!parts(v).lexicographicallyPrecedes(parts(m)))
                    }
                ]))
        let p = try env.compile("user.version.semverAtLeast('1.10.0')")
        #expect(try p.evaluate(["user": ["version": "1.9.3"]]) == false)
        #expect(try p.evaluate(["user": ["version": "1.10.0"]]) == true)
        #expect(env.lint("user.version.semverAtLeast()").issues.first?.message == "function 'semverAtLeast' expects 1 argument(s), got 0")
        #expect(CELValue.list([1, "a", .uint(2), .bytes([0x41])]).description == #"[1, "a", 2u, b"A"]"#)
    }

    @Test func numbersCompareAcrossTypes() throws {
        let env = CELEnvironment(variables: ["n": .dyn])
        #expect(try env.compile("n == 42 && n == 42u && n == 42.0 && n < 42.5 && n > 41u").evaluate(["n": 42]) == true)
        #expect(throws: CELError.self) { try env.compile("n + 1u").evaluate(["n": 42]) }
        #expect(try env.compile("[1, 2u, 3.0].exists(x, x == n)").evaluate(["n": .double(2)]) == true)
    }
}
