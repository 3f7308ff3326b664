import Foundation
import KaitenCore
import Testing

@Suite struct IdentifierTests {
    @Test func version5MatchesTheRFCExample() {
        let dns = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!
        #expect(UUID(version5Namespace: dns, name: "www.example.com").lowercased == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
    }

    @Test func organizationsAndUsersGetTheIdsKaitenDerives() {
        #expect(DeterministicIdentifiers.organizationID(externalID: "org_2abcDEF").lowercased == "b6b9e9d6-c6aa-5b5b-b302-741540cbdcbf")
        #expect(DeterministicIdentifiers.organizationID(externalID: "  org_2abcDEF ").lowercased == "b6b9e9d6-c6aa-5b5b-b302-741540cbdcbf")
        #expect(DeterministicIdentifiers.userID(subject: "user_123").lowercased == "673b0394-6bca-574a-bcc7-ed26492ca483")
    }
}

@Suite struct SlugTests {
    @Test(arguments: ["ab", "acme-corp", "a1", String(repeating: "a", count: 100)])
    func acceptsValidSlugs(_ slug: String) {
        #expect(Slug.isValid(slug))
    }

    @Test(arguments: ["a", "-ab", "ab-", "Acme", "ac me", "ac_me", "", String(repeating: "a", count: 101), "é-a"])
    func refusesInvalidSlugs(_ slug: String) {
        #expect(!Slug.isValid(slug))
    }

    @Test func generatesTheBaseAsKaitenDoes() {
        #expect(Slug.base(from: "Crème Brûlée & Co") == "creme-brulee-co")
        #expect(Slug.base(from: "Æther's Straße Łódź") == "aethers-strasse-lodz")
        #expect(Slug.base(from: "  --Hello,   World!-- ") == "hello-world")
        #expect(Slug.base(from: "日本") == "")
    }

    @Test func generatedSlugsCarryASixHexSuffixAndStayValid() {
        let slug = Slug.generate(from: "Acme Corp")
        #expect(slug.wholeMatch(of: #/acme-corp-[0-9a-f]{6}/#) != nil)
        #expect(Slug.generate(from: "日本").wholeMatch(of: #/[0-9a-f]{6}/#) != nil)
        let long = Slug.generate(from: String(repeating: "word ", count: 60))
        #expect(long.count <= 100 && Slug.isValid(long))
    }
}

@Suite struct ScopeTests {
    @Test func parsesActionsModulesAndWildcards() {
        #expect(Scope(parsing: "read:customers") == .read(.customers))
        #expect(Scope(parsing: "write:*") == .writeAll)
        #expect(Scope(parsing: "delete:organizations") == .delete(.organizations))
        #expect(Scope(parsing: "read:widgets") == nil)
        #expect(Scope(parsing: "admin:customers") == nil)
        #expect(Scope(parsing: "read:customers:x") == nil)
    }

    @Test func grantsFollowKaitensRules() {
        #expect(Scope.write(.customers).grants(.read(.customers)))
        #expect(!Scope.read(.customers).grants(.write(.customers)))
        #expect(!Scope.write(.organizations).grants(.delete(.organizations)))
        #expect(Scope.writeAll.grants(.delete(.organizations)))
        #expect(Scope.readAll.grants(.read(.tokens)))
        #expect(!Scope.readAll.grants(.write(.tokens)))
        #expect(!Scope.write(.customers).grants(.read(.instances)))
    }

    @Test func organizationCredentialsNeverCarryDeleteOrPlatformOnlyScopes() {
        #expect(!Scope.delete(.customers).isOrganizationScope)
        #expect(!Scope.read(.users).isOrganizationScope)
        #expect(Scope.writeAll.isOrganizationScope)
        #expect(Scope.organizationScopes.count == 26)
    }
}
