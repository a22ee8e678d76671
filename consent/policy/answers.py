"""Which answers a banner can give: the methods each model offers and what each one grants.

A receipt is only evidence if it records an answer the visitor's own banner
could have produced. "Notice acknowledged" with everything granted, sent from
a region whose law asks for a yes, is no consent; "GPC" with marketing still
on is no opt-out. So a receipt must match its region's model (the methods
offered there), its method must grant what the method means, and Global
Privacy Control answers only where the region's law makes it an opt-out (its
sale/share categories, data/regions.json) and then turns those off.

The rules are the tables below; ``contradictions`` reads them.
"""

from __future__ import annotations

from collections.abc import Mapping

from .data import Region

# model -> the methods its banner, its dialog and the widget's API can produce. A visitor
# anywhere may be shown the built-in opt-in banner (the service unreachable), so every model
# offers opt-in's buttons.
METHODS_BY_MODEL = {
    "opt-in": ("accept_all", "reject_all", "custom", "withdraw"),
    "opt-out": ("accept_all", "reject_all", "custom", "withdraw", "notice", "gpc"),
    "notice": ("accept_all", "reject_all", "custom", "withdraw", "notice"),
}
# method -> what it grants: "all" optional categories, "none", or "any" (the visitor's own pick;
# a notice or an opt-out keeps what the visitor had turned off before).
GRANTS = {"accept_all": "all", "reject_all": "none", "withdraw": "none", "custom": "any",
          "notice": "any", "gpc": "any"}
# methods that only Global Privacy Control produces: they need the signal, and a region
# whose law honours it, and they turn its sale/share categories off.
GPC_METHODS = ("gpc",)


def contradictions(region: Region, method: str, choices: Mapping[str, bool],
                   gpc: bool) -> dict[str, list[str]]:
    """What in an answer its region's banner could not have produced: {field: [reasons]}.

    Empty when the answer is one the visitor's banner offers.
    """
    problems: dict[str, list[str]] = {}

    def say(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    offered = METHODS_BY_MODEL[region.model]
    if method not in offered:
        say("method", f"The {region.model} banner of {region.code} offers no {method} "
                      f"(it offers {', '.join(offered)}).")
    grants = GRANTS[method]
    if grants == "all" and not all(choices.values()):
        say("choices", f"{method} grants every category.")
    if grants == "none" and any(choices.values()):
        say("choices", f"{method} grants no category.")
    if method in GPC_METHODS:
        if not gpc:
            say("gpc", f"method {method} needs gpc: true.")
        if method in offered and not region.sale_share_categories:
            say("method", f"Global Privacy Control turns nothing off in {region.code}.")
        still_on = [c for c in region.sale_share_categories if choices.get(c)]
        if still_on:
            say("choices", f"Global Privacy Control turns off {', '.join(still_on)} "
                           f"in {region.code}.")
    return problems
