"""`flask consent export | stats | access-log`: marketing's and audit's commands.

Exports from the command line are logged like any other (who = ``cli``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from ..config.messages import flatten
from ..reports import exports
from ..reports.queries import STATS_FORMATS, ReceiptsQuerySchema, StatsQuerySchema
from ..reports.stats import requested_stats, stats_csv
from ..reports.trail import CLI
from ..storage.rollups import STATS_GROUPS
from ..web.context import get_book, get_store

EXPORT_FORMATS = ("csv", "jsonl", "json")


def _load(schema, values: dict) -> dict:
    """Command-line options through the API's own schema, so both accept the same things."""
    try:
        return schema.load({k: v for k, v in values.items() if v is not None})
    except ValidationError as error:
        problems = "; ".join(f"--{k}: {' '.join(v)}" for k, v in flatten(error.messages).items())
        raise click.UsageError(problems) from None


@click.command("export")
@with_appcontext
@click.option("--from", "start", help="First day (YYYY-MM-DD, UTC). Default: 30 days ago.")
@click.option("--to", "end", help="Last day, included. Default: today.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv",
              show_default=True, help="csv, JSON Lines, or one JSON array.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write; - for standard output.")
@click.option("--region", help="Only this region code (eea, uk, us-opt-out, ...).")
@click.option("--site", help="Only this site (host name).")
def export_command(start, end, fmt, out, region, site):
    """Export raw receipts of a date range (the privacy officer's audit copy)."""
    query = _load(ReceiptsQuerySchema(), {"from": start, "to": end, "region": region,
                                          "site": site})
    store, filters = get_store(), query["filters"]
    categories = get_book().catalog.optional_categories
    total = store.count_receipts_between(query["start"], query["end"], filters)
    if out == "-":
        for chunk in exports.receipt_export(store, CLI, query["start"], query["end"], fmt,
                                            categories, filters):
            sys.stdout.buffer.write(chunk)
        return
    # Written aside and renamed at the end: a broken-off export never looks complete.
    target = Path(out)
    partial = target.with_name(f".{target.name}.partial")
    with click.progressbar(length=total, label=f"Exporting {total} receipts",
                           file=sys.stderr) as bar:
        try:
            with open(partial, "wb") as file:
                for chunk in exports.receipt_export(store, CLI, query["start"], query["end"],
                                                    fmt, categories, filters,
                                                    progress=bar.update):
                    file.write(chunk)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    click.echo(f"Wrote {total} receipts ({query['start']} to {query['end']}) to {target}", err=True)


@click.command("stats")
@with_appcontext
@click.option("--from", "start", help="First day (YYYY-MM-DD, UTC). Default: 30 days ago.")
@click.option("--to", "end", help="Last day, included. Default: today.")
@click.option("--group", type=click.Choice(tuple(STATS_GROUPS)), default="day", show_default=True)
@click.option("--format", "fmt", type=click.Choice(STATS_FORMATS), default="csv", show_default=True)
@click.option("--region", help="Only this region code (eea, uk, us-opt-out, ...).")
@click.option("--site", help="Only this site (host name).")
@click.option("--revision", type=int, help="Only this banner revision.")
def stats_command(start, end, group, fmt, region, site, revision):
    """Print consent statistics (answers, answer mix, opt-in rates) to standard output."""
    query = _load(StatsQuerySchema(), {"from": start, "to": end, "group": group, "format": fmt,
                                       "region": region, "site": site, "revision": revision})
    report = requested_stats(get_store(), get_book().catalog.optional_categories, CLI, query)
    if fmt == "csv":
        click.echo(stats_csv(report), nl=False)
    else:
        click.echo(json.dumps(report, indent=2))


@click.command("access-log")
@with_appcontext
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def access_log_command(limit):
    """Show the latest exports and stats requests: who, what, when, how many rows."""
    for entry in get_store().access_log(limit):
        params = entry["params"]
        rows = "running or broken off" if entry["finished_at"] is None else f"{entry['rows']} rows"
        click.echo(f"{entry['at']}  {entry['who']:<12} {entry['via']:<5} {entry['action']:<8} "
                   f"{params.get('from')}..{params.get('to')} {params.get('format')}  {rows}")


COMMANDS = (export_command, stats_command, access_log_command)
