"""The machine's sequencer (consent/storage/sequencer.py): one worker commits for all, and
when it dies another takes over, with no receipt lost or stored twice."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .test_faults import WriteLoad
from .test_scale_out import assert_one_intact_chain


def sequencer_pids() -> set[int]:
    """Processes holding a listening abstract socket named consent-sequencer-*."""
    listening = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        # flags 00010000 = listening (__SO_ACCEPTCON); the path is last, '@' = abstract
        if len(fields) >= 8 and fields[-1].startswith("@consent-sequencer-") \
                and int(fields[3], 16) & 0x10000:
            listening.add(fields[6])
    wanted = {f"socket:[{inode}]" for inode in listening}
    holders = set()
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            fds = list(fd_dir.iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(fd)
            except OSError:      # closed while we looked (a request's socket)
                continue
            if link in wanted:
                holders.add(int(fd_dir.parent.name))
    return holders


@pytest.fixture
def database(any_database):
    return any_database


@pytest.mark.parametrize("kind", ["gunicorn", "granian"])
def test_one_worker_sequences_for_all_and_another_takes_over_when_it_dies(live_server,
                                                                          database, kind):
    server = live_server(workers=3, server=kind, CONSENT_BATCHING="machine")
    workers = set(server.worker_pids())
    with WriteLoad(server.url, threads=8) as load:
        load.wait_for(100)
        sequencer = sequencer_pids() & workers
        assert len(sequencer) == 1, "exactly one worker sequences for the machine"
        victim = sequencer.pop()
        os.kill(victim, signal.SIGKILL)
        before = len(load.acknowledged)
        load.wait_for(before + 200)              # the others go on: one of them took over
        successor = sequencer_pids() & set(server.worker_pids())
    assert len(successor) == 1 and victim not in successor
    assert_one_intact_chain(database, list(load.acknowledged))


def test_process_batching_runs_no_sequencer(live_server):
    server = live_server(workers=2, CONSENT_BATCHING="process")
    with WriteLoad(server.url, threads=4) as load:
        load.wait_for(30)
    assert not sequencer_pids() & set(server.worker_pids())
