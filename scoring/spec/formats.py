"""Format versions, declared once: what the program reads and writes, for ``score --version``."""

CATALOGUE_FORMAT = 1
"""The format of a year's catalogue folder (``indicators/<年度>``: settings.toml, indicators.csv,
plan_items.csv) as docs/catalogue.md describes it. Raise it when a change means an older program would
misread a catalogue written for this one."""
