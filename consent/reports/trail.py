"""The access trail: who took what out of the service, written before it leaves.

Every stats request and export, by API, dashboard or command line, gets an
access-log row naming the requester (a token id, never the token; or cli),
the parameters and, once known, the row count.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..storage.interface import Store


@dataclass(frozen=True)
class Requester:
    """Who takes data out, as the access log names them: a token id (never the token), or cli."""

    who: str
    scope: str
    via: str        # api | admin | cli


CLI = Requester("cli", "cli", "cli")


def log_stats(store: Store, requester: Requester, report: dict, fmt: str,
              rows: int | None = None) -> None:
    """Log a stats request with its row count (the report is already built).

    ``rows``: how many rows went out, when not the report's own rows (an overview).
    """
    params = {"from": report["from"], "to": report["to"], "group": report["group"],
              "filters": report["filters"], "format": fmt}
    store.log_access(requester.who, requester.scope, requester.via, "stats", params,
                     rows=len(report["rows"]) if rows is None else rows)
