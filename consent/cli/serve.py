"""`flask consent serve`: the service as production runs it, under granian (WSGI).

granian was chosen over gunicorn by measurement (docs/performance.md, "The
serving stack"). What gunicorn.conf.py promised still holds:

- one worker process per core (``--workers`` / WEB_CONCURRENCY), each running
  the app on ``--threads`` / CONSENT_THREADS threads, so that a receipt waiting
  for its commit does not hold up the worker's other requests;
- the access log never holds the client's address (no full IP is stored,
  logs included);
- the app is built here once before any worker starts: settings are checked and
  the database migrated, so a bad setting stops start-up with one line and the
  workers (which each build their own app, as granian loads it after forking)
  find the schema current and never race to migrate it;
- graceful: SIGTERM lets requests in flight finish (up to 10 s), SIGHUP replaces
  the workers one after another (a new release, new data files), and a worker
  that dies is replaced.

This process then becomes granian's master (exec), so a process manager that
started ``flask consent serve`` signals granian itself.
"""

from __future__ import annotations

import os
import sys

import click
from flask.cli import with_appcontext

from ..config.settings import ROOT

DEFAULT_BIND = "127.0.0.1:8000"
# Measured on 2 cores (docs/performance.md): with 4 threads a worker's slow request holds up
# none of the others (config p99 28 ms against 44 ms with 1 thread), for a few percent fewer
# config answers per second; receipts were alike with 1, 2 and 4.
DEFAULT_THREADS = 4
GRACE_SECONDS = 10
# granian's fields, without %(addr)s: never the client's address.
ACCESS_LOG = '[%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms'


def granian_argv(bind: str, workers: int, threads: int, access_log: bool) -> list[str]:
    """The granian command line for these settings.

    :raise click.BadParameter: if ``bind`` is not HOST:PORT.
    """
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter(f"{bind!r} is not HOST:PORT", param_hint="--bind")
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "--no-ws",
            "--host", host.strip("[]"), "--port", port, "--working-dir", str(ROOT),
            "--workers", str(workers), "--blocking-threads", str(threads),
            "--respawn-failed-workers", "--workers-kill-timeout", str(GRACE_SECONDS),
            "--log-level", "info",
            *(["--access-log", "--access-log-fmt", ACCESS_LOG] if access_log else ["--no-access-log"]),
            "app:app"]


@click.command("serve")
@click.option("--bind", envvar="CONSENT_BIND", default=DEFAULT_BIND, show_default=True,
              help="HOST:PORT to listen on [CONSENT_BIND].")
@click.option("--workers", envvar="WEB_CONCURRENCY", type=click.IntRange(min=1),
              default=lambda: os.cpu_count() or 1, show_default="one per core",
              help="Worker processes [WEB_CONCURRENCY].")
@click.option("--threads", envvar="CONSENT_THREADS", type=click.IntRange(min=1),
              default=DEFAULT_THREADS, show_default=True, help="App threads per worker [CONSENT_THREADS].")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log each request (method, path, status, time; never the client's address).")
@with_appcontext
def serve_command(bind: str, workers: int, threads: int, access_log: bool):
    """Serve the app in production: granian, WSGI, workers sized to the machine."""
    argv = granian_argv(bind, workers, threads, access_log)
    click.echo(f"Serving on http://{bind} with {workers} workers x {threads} threads (granian)")
    sys.stdout.flush()
    os.execv(sys.executable, argv)


COMMANDS = (serve_command,)
