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
        ("'%s'.format([[1, 'a', true, [2.5], b'z']])", "[1, a, true, [2.5], z]"),
        ("'%s'.format([{'b': 1, 'a': duration('1m'), 3: null}])", "{3: null, a: 60s, b: 1}"),
        ("'%s|%d|%f|%e'.format([double('NaN'), double('Infinity'), double('-Infinity'), double('NaN')])", "NaN|Infinity|-Infinity|NaN"),
        ("'%.3f %f'.format([1.2345, 2.5])", "1.234 2.500000"),
        ("'%o %b %X'.format([uint(8), false, uint(255)])", "10 0 FF"),
        ("'%s'.format([timestamp('2024-02-29T12:00:00+01:00')])", "2024-02-29T11:00:00Z"),
        ("'%s %s'.format([type(1), 56.8])", "int 56.8"),
        ("'\\u0085\\u00a0text\\u3000'.trim()", "text"),
        ("'\\u200btext'.trim()", "\u{200B}text"),
        ("'bananananana'.lastIndexOf('nana', 7)", 6),
        ("'a,b,,c'.split(',', -1)", ["a", "b", "", "c"]),
        ("'a,b,c'.split(',', 1)", ["a,b,c"]),
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
        "'%f'.format([1])",
        "'%o'.format([true])",
        "'%E'.format([1.0])",
        "'%.99999999999999999999f'.format([1.0])",
        "'hello'.charAt(true)",
        "'tacocat'.lastIndexOf('a', 30)",
    ]

    @Test(arguments: errors)
    func fails(_ source: String) throws {
        // Unchecked: the checker already refuses some of these (`42.lowerAscii()`), as cel-go's does.
        let program = try CELEnvironment().compile(source, check: false)
        #expect(throws: CELError.self) { try program.evaluate() }
    }
}
