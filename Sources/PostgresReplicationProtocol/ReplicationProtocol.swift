enum ReplicationProtocolPlaceholder {}
