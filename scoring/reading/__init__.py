"""Reading: files to validated frames (load, validate, the assessors' template, appeals, aliases)."""
