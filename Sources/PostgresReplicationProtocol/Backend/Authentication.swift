import NIOCore

/// An `AuthenticationXXX` request: what the server wants next during start-up.
package enum Authentication: Hashable, Sendable {
    case ok
    case cleartextPassword
    /// MD5 with the 4-byte salt to hash with.
    case md5Password(salt: [UInt8])
    /// SASL with the mechanisms the server offers, in its order of preference.
    case sasl(mechanisms: [String])
    case saslContinue(ByteBuffer)
    case saslFinal(ByteBuffer)
    /// Kerberos, SCM credentials, GSSAPI or SSPI, which this client does not speak.
    case unsupported(code: Int32)

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> Authentication {
        let code = try buffer.readPostgresInteger(as: Int32.self)
        switch code {
        case 0: return .ok
        case 3: return .cleartextPassword
        case 5:
            let salt = try buffer.readPostgresSlice(length: 4)
            return .md5Password(salt: Array(salt.readableBytesView))
        case 10:
            var mechanisms: [String] = []
            while true {
                let name = try buffer.readPostgresString()
                if name.isEmpty { return .sasl(mechanisms: mechanisms) }
                mechanisms.append(name)
            }
        case 11, 12:
            let data = try buffer.readPostgresSlice(length: buffer.readableBytes)
            return code == 11 ? .saslContinue(data) : .saslFinal(data)
        default:
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .unsupported(code: code)
        }
    }
}
