import Crypto

/// PostgreSQL's MD5 password response: `"md5" + md5hex(md5hex(password + username) + salt)`.
package enum MD5Password {
    package static func response(username: String, password: String, salt: [UInt8]) -> String {
        let inner = hex(Insecure.MD5.hash(data: Array((password + username).utf8)))
        return "md5" + hex(Insecure.MD5.hash(data: Array(inner.utf8) + salt))
    }

    private static func hex(_ digest: Insecure.MD5Digest) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }
}
