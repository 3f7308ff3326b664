"""Helpers of scripts/topology, the production-topology fault harness: one module per part of the topology."""
