"""What a store raises when it cannot do its job right now, or will not do what was asked."""


class StoreUnavailable(Exception):
    """The database cannot be written or read right now (disk full, read-only, locked)."""


class KeyReused(Exception):
    """An idempotency key came back with another request than the one it recorded."""


class KeyErased(Exception):
    """An idempotency key names a receipt whose payload has since been erased."""
