"""Configuration: every setting with its default and reason, read in one place; retention periods.

The lowest layer: it imports nothing else of the package.
"""
