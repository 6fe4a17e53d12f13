"""The specification: settings, parameters, the rule registry and the catalogue.

Data types and their parsing; no I/O.
"""
