"""The engine: request building, the shared pipeline, and the sync/async clients."""
