import Testing

@testable import PostgresReplication

@Suite struct AuthenticationTests {
    /// RFC 7677 §3: user "user", password "pencil".
    @Test func scramMatchesTheRFC7677Exchange() throws {
        var scram = SCRAMSHA256(username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(String(decoding: scram.clientFirstMessage, as: UTF8.self) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let clientFinal = try scram.receiveServerFirst(
            text("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        )
        #expect(
            String(decoding: clientFinal, as: UTF8.self)
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        )
        try scram.receiveServerFinal(text("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        #expect(scram.isAuthenticated)
    }

    @Test func scramRejectsAServerThatDoesNotKnowThePassword() throws {
        var scram = SCRAMSHA256(username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        _ = try scram.receiveServerFirst(text("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
        #expect(throws: ReplicationError.self) { try scram.receiveServerFinal(text("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")) }
        #expect(!scram.isAuthenticated)
    }

    @Test(arguments: [
        "r=someoneElsesNonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",  // nonce not extending ours
        "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",  // nonce not extended at all
        "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==",  // no iteration count
        "r=rOprNGfwEbeRWgbNEkqOxyz,s=***,i=4096",  // salt not base64
    ])
    func scramRejectsAMalformedServerFirstMessage(message: String) {
        var scram = SCRAMSHA256(username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(throws: ReplicationError.self) { try scram.receiveServerFirst(text(message)) }
    }

    @Test func scramReportsTheServersError() throws {
        var scram = SCRAMSHA256(username: "", password: "pencil", clientNonce: "abc")
        _ = try scram.receiveServerFirst(text("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1"))
        #expect(throws: ReplicationError.authenticationFailed("server rejected the proof: invalid-proof")) {
            try scram.receiveServerFinal(text("e=invalid-proof"))
        }
    }

    @Test func noncesAreFreshAndCommaFree() {
        let first = SCRAMSHA256.makeNonce()
        #expect(first != SCRAMSHA256.makeNonce())
        #expect(first.count == 24 && !first.contains(","))
    }

    /// md5(md5("pencil" + "user") hex + salt) hex, computed independently.
    @Test func md5ResponseHashesPasswordUserAndSalt() {
        #expect(MD5Password.response(username: "user", password: "pencil", salt: [1, 2, 3, 4]) == "md54376eb6913b38f9aaff38dc7cf19ca76")
    }
}
