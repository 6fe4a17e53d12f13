"""A run: one use case from a run spec to validated inputs, results, ledger and manifest."""
