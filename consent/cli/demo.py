"""`flask consent seed | demo-tokens`: the demo's made-up receipts and generated tokens (demo mode only)."""

from __future__ import annotations

import random
import sys

import click
from flask.cli import with_appcontext

from ..ledger.seed import Seeder
from ..web.context import get_book, get_settings, get_store


@click.command("seed")
@with_appcontext
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3660))
@click.option("--visitors", default=20000, show_default=True, type=click.IntRange(0),
              help="Distinct visitors; about 7 % more receipts (changed minds, withdrawals).")
@click.option("--random-seed", type=int, help="Same seed, same figures (receipt ids differ).")
@click.option("--if-empty", is_flag=True, help="Do nothing when receipts already exist.")
def seed_command(days, visitors, random_seed, if_empty):
    """Fill the database with realistic receipts over the last DAYS days (demo mode only)."""
    settings = get_settings()
    if not settings.demo:
        raise click.UsageError("seed writes made-up receipts; it runs in demo mode only "
                               "(CONSENT_MODE=demo, on a database of its own).")
    store = get_store()
    if if_empty and store.count_receipts():
        click.echo(f"Database {settings.database_shown} already holds receipts; not seeding.")
        return
    seeder = Seeder(get_book(), days, visitors, random.Random(random_seed))
    stored = 0
    with click.progressbar(seeder.days, label=f"Seeding {visitors} visitors over {days} days",
                           file=sys.stderr) as bar:
        for day in bar:
            stored += store.record_receipts(seeder.receipts_on(day))
    click.echo(f"Stored {stored} receipts from {visitors} visitors in {settings.database_shown}")


@click.command("demo-tokens")
@with_appcontext
def demo_tokens_command():
    """Print the demo's generated tokens (demo mode only), to sign in at /admin."""
    settings = get_settings()
    if not settings.demo:
        raise click.UsageError("production tokens come from CONSENT_TOKENS and are never printed.")
    for scope, tokens in settings.tokens.items():
        for token in tokens:
            click.echo(f"{scope}: {token}")


COMMANDS = (seed_command, demo_tokens_command)
