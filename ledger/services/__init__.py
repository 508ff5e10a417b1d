"""The use cases: one module per act or family of acts, each saving its aggregates atomically."""
