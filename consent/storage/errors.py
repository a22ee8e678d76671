"""What a store raises when it cannot do its job right now."""


class StoreUnavailable(Exception):
    """The database cannot be written or read right now (disk full, read-only, locked)."""
