"""`flask consent verify | verify-receipt | purge`: proving the log and honouring retention."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import click
from flask.cli import with_appcontext

from ..config import retention
from ..ledger import chain, erasure, proof
from ..storage.errors import StoreUnavailable
from ..web.context import get_book, get_keys, get_settings, get_store


# How long `purge` waits for readers (a chain walk) to let the erased row versions go.
SCRUB_SETTLE_S = 60


class PeriodType(click.ParamType):
    name = "period"

    def convert(self, value, param, ctx):
        if isinstance(value, retention.Period):
            return value
        try:
            return retention.parse_period(value)
        except retention.BadPeriod as error:
            self.fail(str(error), param, ctx)


class AnchorType(click.ParamType):
    name = "seq:hash"

    def convert(self, value, param, ctx):
        seq, _, digest = value.partition(":")
        if not (seq.isdigit() and len(digest) == 64 and set(digest) <= set("0123456789abcdef")):
            self.fail(f"{value!r} is not SEQ:HASH, e.g. 1234:<64 hex digits>", param, ctx)
        return int(seq), digest


@click.command("verify")
@click.option("--anchor", type=AnchorType(),
              help="A seq:hash written down earlier (a report's head); it must still be there.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def verify_command(anchor, as_json: bool):
    """Walk the whole receipt chain; exit status 1 at the first broken row."""
    report = chain.verify(get_store(), get_keys(), anchor)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    elif report.ok:
        click.echo(f"Chain OK: {_receipts(report.receipts)} ({report.erased} erased).")
        if report.last:
            first, last = report.first, report.last
            click.echo(f"first    seq {first['seq']}, {first['recorded_at']}")
            click.echo(f"head     seq {last['seq']}, {last['recorded_at']}")
            click.echo(f"anchor   {last['seq']}:{last['hash']}")
            click.echo("(write it down: `verify --anchor` with it later proves nothing up to it"
                       " was rewritten)")
    else:
        broken = report.broken.as_dict()
        click.echo(f"Chain BROKEN at seq {broken['seq']}"
                   + (f" (receipt {broken['receipt_id']})" if broken["receipt_id"] else "")
                   + f": {broken['reason']}: {broken['message']}.")
        click.echo(f"{_receipts(report.receipts)} before it verified.")
    if report.anchor and not as_json:
        held = report.anchor
        origin = "given" if held["source"] == "given" else f"kept in {held['source']}"
        click.echo(f"checked against the anchor {held['seq']}:{held['hash'][:16]}... ({origin})")
        if report.broken and report.broken.reason in ("truncated", "anchor_mismatch") \
                and held["source"] != "given":
            click.echo("This database is not the chain the service wrote. Restore it, or start "
                       "from it on purpose: `flask consent init --new-chain`.")
    sys.exit(0 if report.ok else 1)


@click.command("verify-receipt")
@click.argument("receipt_id")
@click.argument("signature")
@with_appcontext
def verify_receipt_command(receipt_id: str, signature: str):
    """Check a receipt's SIGNATURE (from the 201 response or the visitor's download)."""
    check = proof.check_receipt(get_store(), get_keys(),
                                receipt_id.strip().lower(), signature.strip().lower())
    if not check.valid:
        click.echo(f"Receipt {receipt_id}: INVALID: {proof.REASONS[check.reason]}.")
        sys.exit(1)
    stored = check.stored
    click.echo(f"Receipt {receipt_id}: valid; signed by this service, row intact.")
    click.echo(f"recorded {stored['recorded_at']}, seq {stored['seq']}")
    if stored["erased_at"]:
        click.echo(f"payload erased {stored['erased_at']} ({stored['erasure_reason']})")
    else:
        click.echo(f"{stored['method']} in {stored['region']} ({stored['model']}), "
                   f"choices {stored['choices']}, revision {stored['revision']}")


@click.command("purge")
@click.option("--older-than", "period", type=PeriodType(), default=None,
              help="Erase payloads recorded longer ago than this (400d, 13mo, 2y). "
                   "Default: CONSENT_RETENTION.")
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
@click.option("--force", is_flag=True,
              help="Allow a period shorter than the longest consent lifetime.")
@with_appcontext
def purge_command(period, dry_run: bool, force: bool):
    """Erase the personal payload of receipts past retention (the chain stays verifiable)."""
    period = period or get_settings().retention
    if not force:
        try:
            retention.check_covers_lifetime(period, get_book().longest_lifetime_days)
        except retention.BadPeriod as error:
            raise click.UsageError(f"{error}; pass --force if that is really meant") from None
    try:
        result = erasure.purge(get_store(), get_keys(), period.cutoff(), dry_run=dry_run,
                               key_lifetime=timedelta(days=get_settings().idempotency_days))
    except StoreUnavailable as error:
        raise click.ClickException(f"the database cannot be written ({error}); "
                                   "batches already erased stay erased, run it again") from None
    if not dry_run and result.receipts and not get_store().settle_scrub(SCRUB_SETTLE_S):
        click.echo("A reader still holds old copies of erased rows; they leave the database's "
                   "files when it ends (the service scrubs again after its next erasure).")
    verb = "Would erase" if dry_run else "Erased"
    click.echo(f"{verb} the payload of {_receipts(result.receipts)} recorded before "
               f"{result.cutoff} (older than {period}).")
    click.echo(f"{verb} the consent_id hash of {result.subjects} earlier erasure request(s).")
    forget = "Would forget" if dry_run else "Forgot"
    click.echo(f"{forget} {result.keys} idempotency key(s) older than "
               f"{get_settings().idempotency_days} days.")
    if dry_run:
        click.echo("Dry run: nothing was changed.")


def _receipts(count: int) -> str:
    return f"{count} receipt" + ("" if count == 1 else "s")


COMMANDS = (verify_command, verify_receipt_command, purge_command)
