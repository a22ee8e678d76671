"""How a visitor's choice can be made.

``METHODS`` are the receipt's methods: a banner button (accept_all,
reject_all), the preference dialog (custom), Global Privacy Control answering
for the visitor (gpc), a withdrawal, or an acknowledged notice. Which
categories a visitor chooses is data (``Catalog.optional_categories``, from
data/categories.json).
"""

from __future__ import annotations

METHODS = ("accept_all", "reject_all", "custom", "gpc", "withdraw", "notice")
