"""Validation messages as the service reports them: one list per dotted field name.

marshmallow nests its messages like the data ({"choices": {"analytics": [...]}});
the API's 422 answers, the data-file errors at start-up and the command line
all name a field the same flat way: ``choices.analytics``.
"""

from __future__ import annotations


def flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {"choices.analytics": [...]}."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat
