import KaitenCore
import KaitenIdentity

enum IdentityTestSupport {
    static func revokePlatformToken(_ kaiten: TestKaiten) async throws -> Int {
        try await IdentityModule(database: kaiten.database).revokePlatformToken(slug: kaiten.platformToken.slug)
    }

    static func platformToken(_ kaiten: TestKaiten, scopes: [Scope]) async throws -> String {
        try await IdentityModule(database: kaiten.database).createPlatformToken(name: "narrow", scopes: scopes).plaintext
    }
}
