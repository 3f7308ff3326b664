enum AMQPProtocolPlaceholder {}
