"""The archive: a store of runs, their inputs and their results."""
