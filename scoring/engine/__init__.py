"""The engine: points, aggregation, rank, grade, ledger and composite.

LazyFrames in, LazyFrames out; no I/O.
"""
