import Foundation

/// The ids Kaiten derives from external identities, identical to the Go server's so that both converge on
/// the same rows for the same identity provider.
package enum DeterministicIdentifiers {
    /// Kaiten's root namespace for name-based ids.
    package static let root = UUID(uuidString: "eb025416-6f74-4684-97e9-83e99784aaa5")!
    static let organizationNamespace = UUID(version5Namespace: root, name: "organization")
    static let userNamespace = UUID(version5Namespace: root, name: "user")

    /// The organization id for an identity provider's organization id (trimmed first).
    package static func organizationID(externalID: String) -> UUID {
        UUID(version5Namespace: organizationNamespace, name: externalID.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The user id for a JWT subject (trimmed first).
    package static func userID(subject: String) -> UUID {
        UUID(version5Namespace: userNamespace, name: subject.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The seeded `system:kaiten` machine user, member of every organization.
    package static let systemUserID = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
    package static let systemUserExternalID = "system:kaiten"
}
