import Foundation
import Synchronization
import Testing

@testable import CEL

/// Runaway expressions stop with an error, absurd nesting is refused, large inputs work, and one
/// program serves many tasks.
@Suite struct LimitsTests {
    @Test func nestedComprehensionsHitTheCostLimit() throws {
        var e = "true"
        for i in 0..<12 { e = "[1, 2, 3].all(x\(i), \(e))" }
        let program = try CELEnvironment().compile(e)
        #expect(throws: CELError.costLimitExceeded) { try program.evaluate() }
    }

    @Test func errorsAndOrDoNotAbsorbTheCostLimit() throws {
        var e = "true"
        for i in 0..<12 { e = "[1, 2, 3].all(x\(i), \(e))" }
        let program = try CELEnvironment().compile("(\(e)) || true")
        #expect(throws: CELError.costLimitExceeded) { try program.evaluate() }
    }

    @Test func listDoublingHitsTheCostLimit() throws {
        let big = try CELEnvironment(variables: ["l": .list]).compile("l.map(x, l + l).size()")
        let l = CELValue.list((0..<1_000).map { CELValue.int(Int64($0)) })
        #expect(throws: CELError.costLimitExceeded) { try big.evaluate(["l": l]) }
        let strings = try CELEnvironment(variables: ["l": .list, "s": .string]).compile("l.map(x, s + s + s).size()")
        #expect(throws: CELError.costLimitExceeded) {
            try strings.evaluate(["l": l, "s": .string(String(repeating: "x", count: 10_000))])
        }
    }

    @Test func workOnLargeValuesIsChargedBySize() throws {
        let env = CELEnvironment(variables: ["l": .list, "s": .string])
        let l = CELValue.list((0..<2_000).map { CELValue.int(Int64($0)) })
        #expect(throws: CELError.costLimitExceeded) { try env.compile("l.all(a, a in l)").evaluate(["l": l]) }
        let s = CELValue.string(String(repeating: "a", count: 100_000))
        #expect(throws: CELError.costLimitExceeded) {
            try env.compile("l.exists(a, s.contains('b'))").evaluate(["l": l, "s": s])
        }
    }

    @Test func substringSearchIsLinear() throws {
        let env = CELEnvironment(variables: ["s": .string, "t": .string])
        let s = CELValue.string(String(repeating: "a", count: 1_000_000))
        let t = CELValue.string(String(repeating: "a", count: 5_000) + "b")
        let start = ContinuousClock.now
        for e in ["s.contains(t)", "s.indexOf(t) >= 0", "s.lastIndexOf(t) >= 0", "s.split(t).size() > 1", "s.replace(t, '') != s"] {
            #expect(try env.compile(e).evaluate(["s": s, "t": t]) == false, "\(e)")
        }
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func costLimitIsConfigurable() throws {
        var env = CELEnvironment()
        env.costLimit = 10
        #expect(throws: CELError.costLimitExceeded) { try env.compile("[1,2,3,4,5,6,7,8,9,10,11].all(x, x > 0)").evaluate() }
        env.costLimit = 100
        #expect(try env.compile("[1,2,3,4,5,6,7,8,9,10,11].all(x, x > 0)").evaluate() == .bool(true))
    }

    @Test func deadlineStopsALongEvaluation() throws {
        var env = CELEnvironment(variables: ["l": .list])
        env.costLimit = .max
        env.timeout = .milliseconds(50)
        let l = CELValue.list((0..<1_000).map { CELValue.int(Int64($0)) })
        let program = try env.compile("l.all(a, l.all(b, l.all(c, a + b + c >= 0)))")
        let start = ContinuousClock.now
        #expect(throws: CELError.deadlineExceeded) { try program.evaluate(["l": l]) }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func catastrophicRegexStopsAtTheDeadline() throws {
        var env = CELEnvironment(variables: ["s": .string])
        env.timeout = .milliseconds(50)
        let program = try env.compile("s.matches('(a+)+$')")
        let start = ContinuousClock.now
        #expect(throws: CELError.deadlineExceeded) { try program.evaluate(["s": .string(String(repeating: "a", count: 64) + "!")]) }
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(try program.evaluate(["s": "aaa"]) == .bool(true))
    }

    @Test func regexOutsideRE2IsRefused() throws {
        for pattern in [#"(a)\\1"#, "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(?>ab)", "a*+", "a++", "a{2}+"] {
            let p = try CELEnvironment().compile("'ab'.matches('\(pattern)')")
            #expect(throws: CELError.self, "\(pattern)") { try p.evaluate() }
        }
        for (pattern, expected) in [(#"\\*+"#, false), ("[*+]", false), ("a+?b", true), (#"\\d{2}"#, false), ("^a.$", true)] {
            let p = try CELEnvironment().compile("'ab'.matches('\(pattern)')")
            #expect(try p.evaluate() == .bool(expected), "\(pattern)")
        }
    }

    @Test(arguments: ["(", "[", "!", "-", "f(", "{1: ", "x[", "a.b(", "1 + "])
    func deepNestingIsRefused(_ opener: String) throws {
        let closer: String
        switch opener {
        case "(", "f(", "a.b(": closer = ")"
        case "[", "x[": closer = "]"
        case "{1: ": closer = "}"
        default: closer = ""
        }
        let source: String
        if opener == "1 + " {
            source = String(repeating: "1 + ", count: 1_000) + "1"
        } else {
            source = String(repeating: opener, count: 1_000) + "1" + String(repeating: closer, count: 1_000)
        }
        let result = CELEnvironment().lint(source)
        #expect(!result.valid)
        #expect(result.issues.first?.message.contains("exceeds the limit") == true, "\(result.issues)")
    }

    /// The deepest expressions the parser accepts compile and evaluate on a 512 KiB stack (a secondary
    /// thread's stack on macOS) in a release build; they need about 160 KiB there. Debug builds use far
    /// larger frames (about 1.5 MiB for the same), so the debug run of this test gives 4 MiB.
    @Test func deepestAcceptedExpressionsFitASmallStack() throws {
        let sources = [
            String(repeating: "(", count: 62) + "1" + String(repeating: ")", count: 62),
            String(repeating: "[", count: 62) + "1" + String(repeating: "]", count: 62),
            String(repeating: "int(", count: 62) + "1" + String(repeating: ")", count: 62),
            String(repeating: "1 + ", count: 240) + "1",
            String(repeating: "!", count: 240) + "true",
            String(repeating: "-", count: 240) + "1",
            (0..<40).reduce("x0 > 0") { e, i in "[1].all(x\(i + 1), \(e))" }.replacingOccurrences(of: "x0 > 0", with: "x1 > 0"),
            "a" + String(repeating: ".b", count: 240),
        ]
        let failures = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            for source in sources {
                let env = CELEnvironment(variables: ["a": .dyn])
                do {
                    let program = try env.compile(source)
                    _ = try? program.evaluate(["a": .map(CELMap([:]))])
                } catch {
                    failures.withLock { $0.append("\(source.prefix(20))…: \(error)") }
                }
            }
        }
        #if DEBUG
            thread.stackSize = 4 << 20
        #else
            thread.stackSize = 512 << 10
        #endif
        thread.start()
        done.wait()
        #expect(failures.withLock { $0 } == [])
    }

    @Test func longAndOrChainsStayShallow() throws {
        let terms = (0..<2_000).map { "x == \($0)" }.joined(separator: " || ")
        let program = try CELEnvironment(variables: ["x": .int]).compile(terms)
        #expect(try program.evaluate(["x": 1_999]) == .bool(true))
        #expect(try program.evaluate(["x": -1]) == .bool(false))
    }

    @Test func largeInputs() throws {
        // A 10,000-character rule (the Go original's limit).
        var rule = "user.plan == 'pro'"
        while rule.count < 10_000 { rule += " || user.region == 'r\(rule.count)'" }
        let env = CELEnvironment(variables: ["user": .dyn, "big": .dyn, "s": .string])
        let p = try env.compile(rule)
        #expect(try p.evaluate(["user": ["plan": "free", "region": "r18"]]) == .bool(true))
        // A large map and list in the activation.
        var dict: [String: CELValue] = [:]
        for i in 0..<100_000 { dict["k\(i)"] = .int(Int64(i)) }
        let q = try env.compile("big['k99999'] == 99999 && 'k5' in big && size(big) == 100000")
        #expect(try q.evaluate(["big": CELValue(dict)]) == .bool(true))
        // A long string.
        let s = String(repeating: "ab", count: 500_000)
        let r = try env.compile("s.size() == 1000000 && s.endsWith('ab') && s.contains('ba')")
        #expect(try r.evaluate(["s": .string(s)]) == .bool(true))
    }

    @Test func overflowIsAnErrorNotATrap() throws {
        for e in [
            "9223372036854775807 + 1", "-9223372036854775808 - 1", "9223372036854775807 * 2",
            "-9223372036854775808 / -1", "-9223372036854775808 % -1", "-(-9223372036854775808)",
            "18446744073709551615u + 1u", "0u - 1u", "1 / 0", "1 % 0", "int(1e19)", "uint(-1)",
        ] {
            let p = try CELEnvironment().compile(e, check: false)
            #expect(throws: CELError.self, "\(e)") { try p.evaluate() }
        }
    }

    @Test func concurrentEvaluation() async throws {
        let env = CELEnvironment(variables: ["user": .dyn])
        let program = try env.compile("user.plan == 'pro' && user.region in ['eu', 'us']")
        let matches = await withTaskGroup(of: Int.self) { group in
            for t in 0..<8 {
                group.addTask {
                    var n = 0
                    for i in 0..<2_000 {
                        let region: CELValue = (i + t) % 2 == 0 ? "eu" : "jp"
                        let user: [String: CELValue] = ["plan": "pro", "region": region]
                        if (try? program.evaluate(["user": CELValue(user)])) == .bool(true) { n += 1 }
                    }
                    return n
                }
            }
            return await group.reduce(0, +)
        }
        #expect(matches == 8_000)
    }

    @Test func concurrentRegularExpressions() async throws {
        let env = CELEnvironment(variables: ["email": .string, "pattern": .string])
        let constant = try env.compile("email.matches('^[a-z]+@(example|acme)[.]com$')")
        let dynamic = try env.compile("email.matches(pattern)")
        let matches = await withTaskGroup(of: Int.self) { group in
            for t in 0..<8 {
                group.addTask {
                    var n = 0
                    for i in 0..<500 {
                        let email: CELValue = (i + t) % 2 == 0 ? "ann@acme.com" : "ann@evil.com"
                        let vars: [String: CELValue] = ["email": email, "pattern": "@(example|acme)[.]com$"]
                        if (try? constant.evaluate(vars)) == .bool(true) { n += 1 }
                        if (try? dynamic.evaluate(vars)) == .bool(true) { n += 1 }
                    }
                    return n
                }
            }
            return await group.reduce(0, +)
        }
        #expect(matches == 4_000)
    }

    @Test func jsonContext() throws {
        let json = #"{"plan": "pro", "seats": 12, "ratio": 0.5, "beta": true, "tags": ["a", "b"], "org": {"id": null}}"#
        let user = try JSONDecoder().decode(CELValue.self, from: Data(json.utf8))
        let p = try CELEnvironment(variables: ["user": .dyn]).compile(
            "user.seats > 10 && user.seats == 12.0 && user.ratio < 1 && user.beta && 'b' in user.tags && user.org.id == null")
        #expect(try p.evaluate(["user": user]) == .bool(true))
    }

    @Test func benchmarkEntryPoint() {
        let ns = CELEnvironment.benchmarkTargetingRule(iterations: 20_000)
        #expect(ns > 0 && ns < 100_000)
    }
}
