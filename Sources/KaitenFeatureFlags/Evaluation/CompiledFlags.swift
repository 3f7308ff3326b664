import CEL
import Foundation
import KaitenCore
import Synchronization

/// A stored flag, read once into what evaluation walks, its rules compiled.
struct EvaluableFlag: Sendable {
    let slug: String
    let definition: FlagDefinition
    let values: [String: JSONValue]
    /// Each targeting's rule as a program, in the targetings' order.
    let programs: [Result<CELProgram, CELCompileError>]

    init(_ flag: FeatureFlagResource) throws {
        var reader = JSONObjectReader(
            .object([
                "name": .string(flag.name), "description": flag.description.map(JSONValue.string) ?? .null, "type": .string(flag.type),
                "variants": flag.variants, "default_variant": flag.defaultVariant, "targetings": flag.targetings,
                "metadata": flag.metadata, "enabled": .bool(flag.enabled), "event_name": .string(flag.eventName),
            ]))
        let definition = FlagDefinition(reading: &reader)
        try reader.finish()
        slug = flag.slug
        self.definition = definition!
        values = Dictionary(self.definition.variants.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        programs = self.definition.targetings.map { TargetingRules.programs.program($0.rule) }
    }

    /// Every date rollout among the flag's strategies: what its answer depends on besides its definition and
    /// the context.
    var dateRollouts: [(start: RolloutStep, end: RolloutStep)] {
        ([definition.defaultVariant] + definition.targetings.map(\.strategy)).compactMap { strategy in
            if case .rolloutDate(let start, let end) = strategy { (start, end) } else { nil }
        }
    }
}

/// One of the organization's flags as evaluation finds it: compiled, or the reason its stored definition
/// cannot be evaluated.
struct CompiledFlag: Sendable {
    let id: String
    let slug: String
    let evaluable: Result<EvaluableFlag, OFREPError>

    init(_ flag: FeatureFlagResource) {
        id = flag.id
        slug = flag.slug
        do {
            evaluable = .success(try EvaluableFlag(flag))
        } catch {
            evaluable = .failure(OFREPError(.parseError, "the stored definition of flag \"\(flag.slug)\" cannot be read"))
        }
    }
}

/// An organization's flags at one revision, in slug order.
struct CompiledFlags: Sendable {
    let revision: Int64
    let flags: [CompiledFlag]
    private let positions: [String: Int]
    /// The date rollouts of every flag, in a fixed order.
    private let dateRollouts: [(start: RolloutStep, end: RolloutStep)]

    init(revision: Int64, flags: [FeatureFlagResource]) {
        self.revision = revision
        self.flags = flags.sorted { $0.slug < $1.slug }.map(CompiledFlag.init)
        positions = Dictionary(self.flags.enumerated().map { ($1.slug, $0) }, uniquingKeysWith: { first, _ in first })
        dateRollouts = self.flags.flatMap { flag in (try? flag.evaluable.get())?.dateRollouts ?? [] }
    }

    subscript(slug slug: String) -> CompiledFlag? {
        positions[slug].map { flags[$0] }
    }

    /// Where each date rollout stands at `now`: the only way time changes an answer.
    func rolloutPhases(at now: Date) -> [RolloutPhase] {
        dateRollouts.map { RolloutPhase(start: $0.start, end: $0.end, now: now) }
    }
}

/// Each organization's compiled flags, kept while the revision the database holds for them is the one they
/// were read at, so an evaluation compiles nothing and reads no flag. Bounded: past `capacity` organizations
/// one kept entry makes room for the newcomer.
final class CompiledFlagsCache: Sendable {
    private let capacity: Int
    private let entries = Mutex<[UUID: CompiledFlags]>([:])

    init(capacity: Int = 1_024) {
        self.capacity = capacity
    }

    /// The organization's flags at `revision`, read through `load` when those kept are of another revision.
    /// A write committed between reading the revision and loading only makes the flags newer than their
    /// label, and the next evaluation, seeing the new revision, reads them again.
    func flags(
        organizationID: UUID, revision: Int64, load: () async throws -> [FeatureFlagResource]
    ) async throws -> CompiledFlags {
        if let kept = entries.withLock({ $0[organizationID] }), kept.revision == revision { return kept }
        let compiled = CompiledFlags(revision: revision, flags: try await load())
        entries.withLock { entries in
            if entries[organizationID] == nil, entries.count >= capacity, let evicted = entries.keys.first {
                entries.removeValue(forKey: evicted)
            }
            entries[organizationID] = compiled
        }
        return compiled
    }
}
