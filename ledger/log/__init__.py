"""The transparency log: leaves from stored events, the Merkle tree that follows the
event store, checkpoints."""
