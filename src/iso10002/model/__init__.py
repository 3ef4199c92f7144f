"""The domain model: values, events, the complaint state and its fold. No I/O happens here."""
