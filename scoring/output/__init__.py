"""Output: the workbooks (one module per sheet over one book kit), the assessors' template
and the results files.
"""
