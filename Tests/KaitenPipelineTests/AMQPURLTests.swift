import AMQPClient
import KaitenPipeline
import Testing

@Suite("KAITEN_AMQP_URL")
struct AMQPURLTests {
    @Test("a comma-separated list names a cluster's nodes, in the order they are tried")
    func clusterList() throws {
        let nodes = try [AMQPConfiguration](
            urls: "amqp://kaiten:secret@10.0.0.1:5672/, amqp://kaiten:secret@10.0.0.2:5673/tenants", connectionName: "kaiten-worker")
        #expect(nodes.map(\.host) == ["10.0.0.1", "10.0.0.2"])
        #expect(nodes.map(\.port) == [5672, 5673])
        #expect(nodes.map(\.virtualHost) == ["/", "tenants"])
        #expect(nodes.allSatisfy { $0.username == "kaiten" && $0.password == "secret" && $0.connectionName == "kaiten-worker" })
    }

    @Test("an empty list or a node that is not amqp:// is refused", arguments: ["", " , ", "amqp://a/,http://b/"])
    func refused(text: String) {
        #expect(throws: AMQPURLError.self) { try [AMQPConfiguration](urls: text, connectionName: "kaiten") }
    }
}
