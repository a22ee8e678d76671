"""`flask consent move-store --to postgresql://...`: moving a history to another database.

Every receipt, configuration snapshot, erasure, roll-up and access-log row is
copied as stored (``consent.storage.moving``) from this service's store (a
SQLite file, usually) into an empty, freshly migrated target; then the chain
is verified on both sides and must end at the same anchor (seq:hash).
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..config.settings import mask_password
from ..ledger import chain
from ..storage import StoreUnavailable, moving, open_store
from ..web.context import get_keys, get_settings, get_store


@click.command("move-store")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="Where to: a postgresql:// URL (or another SQLite file path).")
@with_appcontext
def move_store_command(target_url: str):
    """Copy this store's whole history into an empty database at --to, then verify it there."""
    source = get_store()
    shown = mask_password(target_url)
    if target_url == str(get_settings().database):
        raise click.UsageError("--to names the database the service already uses")
    keys = get_keys()
    try:
        before = chain.verify(source, keys)
        if not before.ok:
            click.echo(f"The source chain is broken ({before.broken.reason} at seq "
                       f"{before.broken.seq}); fix that first (flask consent verify).")
            sys.exit(1)
        target = open_store(target_url, "process")
        applied = target.migrate()
        click.echo(f"Target {shown}: " + (f"applied {', '.join(applied)}" if applied
                                          else "schema up to date"))
        counts = moving.row_counts(source)
        with click.progressbar(length=sum(counts.values()), label="Copying rows",
                               show_pos=True) as bar:
            copied = moving.move(source, target, lambda table, n: bar.update(n))
        after = chain.verify(target, keys)
    except moving.NotEmpty as error:
        click.echo(f"Refusing to move into {shown}: it is not empty ({error}).")
        sys.exit(1)
    except StoreUnavailable as error:
        click.echo(f"Move stopped: a database cannot be reached: {error}")
        sys.exit(1)
    for table, rows in copied.items():
        click.echo(f"  {table:<17} {rows} rows")
    anchor = lambda report: f"{report.last['seq']}:{report.last['hash']}" if report.last else "-"
    click.echo(f"source anchor  {anchor(before)}")
    click.echo(f"target anchor  {anchor(after)}")
    if not after.ok or anchor(after) != anchor(before) or after.receipts != before.receipts:
        click.echo("Target chain does NOT match the source: do not switch over.")
        sys.exit(1)
    click.echo(f"Chain OK on the target: {after.receipts} receipts, same anchor. Point "
               f"CONSENT_DATABASE at {shown} and restart the app servers.")


COMMANDS = (move_store_command,)
