"""How a visitor's choice can be made, and which categories they choose.

``METHODS`` are the receipt's methods: a banner button (accept_all,
reject_all), the preference dialog (custom), Global Privacy Control answering
for the visitor (gpc), a withdrawal, or an acknowledged notice.
"""

from __future__ import annotations

METHODS = ("accept_all", "reject_all", "custom", "gpc", "withdraw", "notice")
# The categories a visitor chooses, in receipt order (necessary is always on).
OPTIONAL_CATEGORIES = ("analytics", "personalization", "marketing")
