import KaitenCore
import Testing

/// Vectors computed with the `xxhash` PyPI package (the reference C implementation), not with this code.
@Suite struct XXH64Tests {
    @Test(arguments: [
        ("", 0xEF46_DB37_51D8_E999 as UInt64),
        ("a", 0xD24E_C4F1_A98C_6E5B),
        ("abc", 0x44BC_2CF5_AD77_0999),
        ("0123456789abcdef0123456789abcdef!", 0x8AFF_F4DA_AC4E_677E),
        ("new-checkout\u{0}user-42", 0x0049_1C44_5236_866D),
        ("dark-mode\u{0}acme", 0x1652_2C6E_8D2F_AD48),
    ])
    func hashesAsTheReferenceDoes(input: String, expected: UInt64) {
        #expect(XXH64.hash(Array(input.utf8)) == expected)
    }

    @Test func hashesEveryTailLengthPastOneStripe() {
        #expect(XXH64.hash((0..<100).map(UInt8.init)) == 0x6AC1_E580_3216_6597)
    }
}
