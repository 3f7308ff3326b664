import Testing

@testable import CEL

/// cel-go's strings extension (`ext.Strings()`), which the conformance subset here does not cover.
@Suite struct StringsExtensionTests {
    static let cases: [(String, CELValue)] = [
        ("'hello'.charAt(1)", "e"),
        ("'hello'.charAt(5)", ""),
        ("'héllo'.charAt(1)", "é"),
        ("'hello mellow'.indexOf('')", 0),
        ("'hello mellow'.indexOf('ello')", 1),
        ("'hello mellow'.indexOf('ello', 6)", 7),
        ("'hello mellow'.indexOf('jello')", -1),
        ("'ta©o©α©'.indexOf('©', 3)", 4),
        ("'hello mellow'.lastIndexOf('')", 12),
        ("'hello mellow'.lastIndexOf('ello')", 7),
        ("'hello mellow'.lastIndexOf('ello', 6)", 1),
        ("'ta©o©α©'.lastIndexOf('©')", 6),
        ("'TacoCat'.lowerAscii()", "tacocat"),
        ("'TacoCÆt'.lowerAscii()", "tacocÆt"),
        ("'tacoCat'.upperAscii()", "TACOCAT"),
        ("'hello hello'.replace('he', 'we')", "wello wello"),
        ("'hello hello'.replace('he', 'we', 1)", "wello hello"),
        ("'hello hello'.replace('he', 'we', 0)", "hello hello"),
        ("'hello hello'.replace('', '_')", "_h_e_l_l_o_ _h_e_l_l_o_"),
        ("'hello hello'.split(' ')", ["hello", "hello"]),
        ("'hello hello hello'.split(' ', 2)", ["hello", "hello hello"]),
        ("'hello hello hello'.split(' ', 0)", []),
        ("'hello'.split('')", ["h", "e", "l", "l", "o"]),
        ("'tacocat'.substring(4)", "cat"),
        ("'tacocat'.substring(0, 4)", "taco"),
        ("'ta©o©αT'.substring(2, 6)", "©o©α"),
        ("'  \\ttrim\\n    '.trim()", "trim"),
        ("['hello', 'mellow'].join()", "hellomellow"),
        ("['hello', 'mellow'].join(' ')", "hello mellow"),
        ("[].join('/')", ""),
        ("'gums'.reverse()", "smug"),
        ("'☺😁'.reverse()", "😁☺"),
        ("strings.quote('first\\nsecond')", "\"first\\nsecond\""),
        ("strings.quote('\"quoted\"')", "\"\\\"quoted\\\"\""),
        ("'%s and %s'.format(['this', 'that'])", "this and that"),
        ("'%d items, %.2f%%'.format([3, 99.5])", "3 items, 99.50%"),
        ("'%e'.format([1052.032911275])", "1.052033e+03"),
        ("'%b %o %x %X'.format([5, 8, 255, 255])", "101 10 ff FF"),
        ("'%x'.format(['Hi'])", "4869"),
        ("'%s'.format([[1, 'a', true]])", "[1, \"a\", true]"),
        ("'%s'.format([null])", "null"),
        ("'%s %s'.format([1.5, duration('90s')])", "1.5 90s"),
    ]

    @Test(arguments: cases.indices)
    func evaluates(_ i: Int) throws {
        let (source, expected) = Self.cases[i]
        let program = try CELEnvironment().compile(source)
        let value = try program.evaluate()
        #expect(value == expected, "\(source) gave \(Std.debugString(value))")
    }

    static let errors: [String] = [
        "'hello'.charAt(6)",
        "'hello'.charAt(-1)",
        "'hello'.indexOf('l', 10)",
        "'hello'.lastIndexOf('l', -1)",
        "'tacocat'.substring(40)",
        "'tacocat'.substring(4, 2)",
        "[1, 2].join()",
        "'%d'.format(['x'])",
        "'%s %s'.format(['only one'])",
        "'%q'.format([1])",
        "42.lowerAscii()",
    ]

    @Test(arguments: errors)
    func fails(_ source: String) throws {
        let program = try CELEnvironment().compile(source)
        #expect(throws: CELError.self) { try program.evaluate() }
    }
}
