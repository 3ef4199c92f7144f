"""Property-based and stateful tests of the model, the serialization and the handling process."""
