import Testing
@testable import CEL

@Test func smoke() throws {
    let env = CELEnvironment(variables: ["user": .dyn])
    let p = try env.compile("user.plan == 'pro' && user.region in ['eu', 'us']")
    #expect(try p.evaluate(["user": ["plan": "pro", "region": "us"]]) == .bool(true))
}
