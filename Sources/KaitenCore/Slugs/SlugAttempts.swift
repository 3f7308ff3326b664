/// Runs an insert keyed by a slug, with Kaiten's conflict rules.
///
/// A slug the client chose is tried once, and its conflict is the client's: 409 with the operation's
/// code. A slug the server generates carries a random suffix, so a conflict is bad luck, retried with a
/// fresh slug up to ``Slug/generationAttempts`` times.
package enum SlugAttempts {
    /// - Parameters:
    ///   - given: the client's slug, already validated, or nil to generate one from `base`.
    ///   - constraint: the unique constraint a slug conflict violates; nil when the insert has no other.
    package static func run<Result>(
        given: String?,
        base: String,
        conflictCode: String,
        constraint: String? = nil,
        _ attempt: (String) async throws -> Result
    ) async throws -> Result {
        func isSlugConflict(_ error: any Error) -> Bool {
            guard let failure = PostgresFailure(error), failure.isUniqueViolation else { return false }
            return constraint == nil || failure.constraint == constraint
        }
        if let given {
            do {
                return try await attempt(given)
            } catch  where isSlugConflict(error) {
                throw APIError.conflict(conflictCode, "the slug \"\(given)\" is already taken")
            }
        }
        var lastSlug = ""
        for _ in 0..<Slug.generationAttempts {
            lastSlug = Slug.generate(from: base)
            do {
                return try await attempt(lastSlug)
            } catch  where isSlugConflict(error) {
                continue
            }
        }
        throw APIError.conflict(conflictCode, "could not generate a free slug (last tried \"\(lastSlug)\")")
    }
}
