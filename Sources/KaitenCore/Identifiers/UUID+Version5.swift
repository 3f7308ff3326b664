import Crypto
import Foundation

extension UUID {
    /// A name-based UUID (RFC 9562 version 5): SHA-1 of the namespace bytes followed by the name's UTF-8 bytes.
    ///
    /// Kaiten derives organization and user ids this way so that an external identity always converges on
    /// the same row, whichever process provisions it first.
    package init(version5Namespace namespace: UUID, name: String) {
        var hasher = Insecure.SHA1()
        withUnsafeBytes(of: namespace.uuid) { hasher.update(bufferPointer: $0) }
        hasher.update(data: Data(name.utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        self.init(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }

    /// The lowercase textual form, as Kaiten writes ids on the wire.
    package var lowercased: String { uuidString.lowercased() }
}
