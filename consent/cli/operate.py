"""`flask consent init | policy | settings`: setting up and looking at the service."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from ..policy.geo import Location
from ..web.context import get_book, get_locator, get_settings, get_store


@click.command("init")
@click.option("--new-chain", is_flag=True,
              help="Anchor the chain this database holds now, even though it does not reach "
                   "the anchor kept so far (a database lost, emptied or restored on purpose).")
@with_appcontext
def init_command(new_chain: bool):
    """Create or upgrade the database schema; check the chain against its anchor."""
    store = get_store()
    applied = store.migrate()
    click.echo(f"Database {get_settings().database_shown}: "
               + (f"applied {', '.join(applied)}" if applied else "up to date"))
    fault = store.anchor.fault(store.head(), store.hash_at)
    if new_chain:
        aside = store.anchor.reset(store.head())
        if aside:
            click.echo(f"The earlier anchor is kept as {aside}.")
        head = store.head()
        click.echo(f"New chain anchored at {head[0]}:{head[1]}." if head else
                   "The chain starts empty; its first receipt anchors it.")
    elif fault:
        raise click.ClickException(
            f"{fault}. Receipts are refused until the database is restored, or until this "
            "one is accepted on purpose with `flask consent init --new-chain`.")


@click.command("policy")
@with_appcontext
@click.argument("where")
@click.option("--lang", default="en", show_default=True, help="Language of the texts shown.")
@click.option("--json", "as_json", is_flag=True, help="Print the full banner configuration.")
def policy_command(where: str, lang: str, as_json: bool):
    """Show the policy for WHERE: an IP address (85.214.0.1) or a code (DE, US-CA, unknown)."""
    locator = get_locator()
    if where.lower() == "unknown":
        location = Location(None, None, "unknown")
    elif any(c in where for c in ".:"):
        location = locator.lookup(where)
    else:
        location = Location.parse(where, "argument")
        if location is None:
            raise click.BadParameter(f"{where!r} is neither an IP address nor an ISO code",
                                     param_hint="WHERE")
    book = get_book()
    region = book.policy_for(location)
    config = book.visitor_config(region, book.negotiate([lang], region), gpc=False)
    if as_json:
        click.echo(json.dumps(config, indent=2, ensure_ascii=False))
        return
    place = location.subdivision or location.country or "unknown"
    click.echo(f"{where}: {place} (from {location.source})")
    click.echo(f"region   {region.code}: {region.name}")
    click.echo(f"model    {region.model}, consent kept {region.lifetime_days} days, "
               f"revision {book.revision}")
    for category in config["categories"]:
        state = "always on" if category["required"] else ("on" if category["default"] else "off")
        click.echo(f"  {category['id']:<16} {state:<10} {', '.join(category['consent_mode'])}")
    if region.sale_share_categories:
        click.echo(f"GPC / do-not-sell turns off: {', '.join(region.sale_share_categories)}")
    click.echo(f"texts    {config['lang']}, config hash {config['config_hash'][:16]}...")


@click.command("settings")
@with_appcontext
def settings_command():
    """Print the effective configuration (secrets masked)."""
    settings = get_settings()
    click.echo(json.dumps(settings.describe(), indent=2))
    if settings.generated:
        click.echo(f"Demo mode generated: {', '.join(settings.generated)}", err=True)


COMMANDS = (init_command, policy_command, settings_command)
