"""The receipt's fields, named once: what the chain keeps, what erasure removes.

Every engine, the exports and the visitor's download take their column lists
from here. (A migration is history and spells out the columns of its day.)
"""

from __future__ import annotations

# Everything about the visitor and their choice; erasure removes these, keeps their hash.
PAYLOAD_FIELDS = ("consent_id", "site", "region", "country", "subdivision", "model", "revision",
                  "config_hash", "method", "choices", "gpc", "lang", "page", "ip_prefix",
                  "user_agent")
# Where a receipt stands in the chain (seq is the engine's order) and what links it.
CHAIN_FIELDS = ("seq", "receipt_id", "recorded_at")
SEAL_FIELDS = ("payload_hash", "prev_hash", "hash")
# Set on a receipt when its payload is erased (see consent/ledger/erasure.py).
ERASURE_FIELDS = ("erased_at", "erasure_id", "erasure_seal")
# A sealed receipt as appended, and as the visitor downloads it: all but storage internals
# (seq, erasure), enough for anybody to recompute payload_hash and hash.
RECEIPT_FIELDS = ("receipt_id", "recorded_at", *PAYLOAD_FIELDS, *SEAL_FIELDS)
# Payload fields a receipt export may be filtered by (never user text in SQL).
EXPORT_FILTERS = ("region", "site")
