"""`flask consent serve`: granian as production runs it (the tests' LiveServer starts it too)."""

from __future__ import annotations

import os
import signal
import time

import click
import pytest
import requests

from consent.cli.serve import ACCESS_LOG, granian_argv


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_command_line_follows_the_settings():
    argv = granian_argv("0.0.0.0:9000", workers=3, threads=4, access_log=True)
    assert argv[-1] == "app:app" and option(argv, "--interface") == "wsgi"
    assert (option(argv, "--host"), option(argv, "--port")) == ("0.0.0.0", "9000")
    assert (option(argv, "--workers"), option(argv, "--blocking-threads")) == ("3", "4")
    assert "--respawn-failed-workers" in argv and int(option(argv, "--workers-kill-timeout")) > 0
    assert option(argv, "--access-log-fmt") == ACCESS_LOG and "addr" not in ACCESS_LOG
    assert "--no-access-log" in granian_argv("[::1]:80", 1, 1, access_log=False)
    with pytest.raises(click.BadParameter):
        granian_argv("8000", 1, 1, True)


def test_a_worker_per_core_by_default(runner, monkeypatch):
    """Without WEB_CONCURRENCY, one worker per core; the command execs granian with them."""
    started = []
    monkeypatch.setattr(os, "execv", lambda path, argv: started.append(argv))
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setenv("CONSENT_THREADS", "3")
    result = runner.invoke(args=["consent", "serve", "--bind", "127.0.0.1:8123"])
    assert result.exit_code == 0, result.output
    [argv] = started
    assert option(argv, "--workers") == str(os.cpu_count())
    assert option(argv, "--blocking-threads") == "3"
    assert "8123" in result.output


def test_access_log_without_the_client_address_and_graceful_worker_replacement(live_server):
    server = live_server(workers=2)
    assert requests.get(f"{server.url}/api/v1/config?lang=de", timeout=10).ok
    time.sleep(0.5)
    log = server.output()
    [line] = [line for line in log.splitlines() if '"GET /api/v1/config HTTP/1.1" 200' in line]
    assert "127.0.0.1" not in line and "lang=de" not in line

    before = set(server.worker_pids())
    os.kill(server.process.pid, signal.SIGHUP)        # a new release: replace the workers
    deadline = time.monotonic() + 30
    while not (before.isdisjoint(after := set(server.worker_pids())) and len(after) == 2):
        assert time.monotonic() < deadline, f"workers not replaced: {before} -> {after}"
        assert requests.get(f"{server.url}/livez", timeout=10).ok     # answering all the while
        time.sleep(0.2)
    assert requests.get(f"{server.url}/api/v1/config", timeout=10).ok
