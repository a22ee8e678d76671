"""One sequencer per machine: receipts from every worker process committed in shared batches.

(A *sequencer* as in Trillian Tessera: the one place that gives entries their
order. Here it is per machine; across machines the engine's lock orders the
batches, see ``postgres/receipts.py``.)

A commit costs a disk flush, and each worker alone has few receipts waiting at
once, so batching inside one worker saves little. Instead the first worker
that finds no sequencer binds an abstract Unix socket named after the
database and becomes the machine's sequencer: a thread that reads drafts from
every worker's request threads, commits all that has arrived as one batch
(the engine's ``commit`` callable) and answers each. While a batch commits the
next one gathers, so a receipt waits at most one commit for its turn.

If that process dies, the kernel frees the name: a client that loses its
connection binds it itself and re-sends (marked ``resent``, so the engine
returns the stored receipt rather than adding it twice). Correctness never
rests on there being one sequencer: each batch reads the chain head under the
engine's own lock, and a worker that cannot reach one commits by itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import logging
import os
import selectors
import socket
import struct
import threading
from collections.abc import Callable
from datetime import datetime

from .batching import Pending, fail
from .errors import KeyErased, KeyReused, StoreUnavailable
from .idempotency import Idempotency

log = logging.getLogger(__name__)
FRAME = struct.Struct("!I")
MAX_BATCH = 256                  # receipts per transaction at most (Tessera's batch size)
ANSWER_TIMEOUT_S = 45            # longer than any engine's own lock wait (30 s)


class SequencerError(Exception):
    """The sequencer's batch failed for a reason other than the store being unavailable."""


# The errors an answer can carry to the worker that asked, by name.
ERRORS = {"unavailable": StoreUnavailable, "reused": KeyReused, "erased": KeyErased}


def _send(sock: socket.socket, message: dict) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    sock.sendall(FRAME.pack(len(data)) + data)


def _frames(buffer: bytearray) -> list[dict]:
    """Take every complete frame off the front of ``buffer``."""
    out = []
    while len(buffer) >= FRAME.size:
        (size,) = FRAME.unpack_from(buffer)
        if len(buffer) < FRAME.size + size:
            break
        out.append(json.loads(bytes(buffer[FRAME.size:FRAME.size + size])))
        del buffer[:FRAME.size + size]
    return out


class Sequencer:
    """Client and, in one process of the machine, server of the shared batches."""

    def __init__(self, name: str, commit: Callable[[list[Pending]], None]):
        """``name`` says which database (the same on every worker that shares it)."""
        self.address = f"\0consent-sequencer-{name}".encode()
        self.commit = commit
        self._local = threading.local()
        self._pid = os.getpid()
        self._serving = False
        self._become = threading.Lock()

    # ---- client: every request thread ------------------------------------------

    def submit(self, item: Pending) -> bool:
        """Have the machine's sequencer commit ``item``; False if none can be reached.

        On True, ``item.receipt`` or ``item.error`` is set. On False the caller
        commits the item itself (with ``item.resent`` set if it may already be in).
        """
        for _attempt in range(3):
            sock = self._connection()
            if sock is None:
                return False
            try:
                answer = self._ask(sock, item)
            except socket.timeout:
                # Alive but not answering (the database lock held that long): no second
                # copy queued behind the first; the visitor's widget sends it again later.
                self._drop()
                item.error = StoreUnavailable("the sequencer did not answer in time")
                return True
            except (OSError, EOFError, ValueError):
                self._drop()
                item.resent = True       # it may have committed before the line broke
                continue
            if answer.get("need_snapshot"):
                self._local.sent.discard(item.draft["config_hash"])
                continue
            if "error" in answer:
                item.error = ERRORS.get(answer["error"], SequencerError)(answer["message"])
            else:
                item.receipt = {**item.draft, **answer["sealed"]}
            return True
        return False

    def _ask(self, sock: socket.socket, item: Pending) -> dict:
        config_hash = item.draft["config_hash"]
        sent = self._local.sent
        message = {"draft": item.draft, "now": item.now.isoformat() if item.now else None,
                   "resent": item.resent}
        if item.idempotency is not None:
            message["idempotency"] = dataclasses.astuple(item.idempotency)
        if config_hash not in sent:
            message["snapshot"] = item.snapshot
        _send(sock, message)
        buffer = bytearray()
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                raise EOFError("the sequencer went away")
            buffer += chunk
            frames = _frames(buffer)
            if frames:
                answer = frames[0]
                if "error" not in answer and not answer.get("need_snapshot"):
                    sent.add(config_hash)
                return answer

    def _connection(self) -> socket.socket | None:
        if self._pid != os.getpid():      # forked: nothing of the parent's may be used
            self._pid, self._serving, self._local = os.getpid(), False, threading.local()
            self._become = threading.Lock()
        sock = getattr(self._local, "sock", None)
        if sock is not None:
            return sock
        for _attempt in range(2):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(ANSWER_TIMEOUT_S)
            try:
                sock.connect(self.address)
            except OSError:               # nobody serves: try to, then connect again
                sock.close()
                self._serve_here()
                continue
            self._local.sock, self._local.sent = sock, set()
            return sock
        return None

    def _drop(self) -> None:
        sock = getattr(self._local, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
        self._local.sock = None

    # ---- server: one thread in one process -------------------------------------

    def _serve_here(self) -> bool:
        """Become the machine's sequencer unless another process already is."""
        with self._become:
            if self._serving:
                return True
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                listener.bind(self.address)
            except OSError as error:
                listener.close()
                if error.errno == errno.EADDRINUSE:
                    return True           # someone else serves: connect to them
                return False
            listener.listen(256)
            self._serving = True
            self._wake = socket.socketpair()
            threading.Thread(target=self._serve, args=(listener, self._wake[0]), daemon=True,
                             name="consent-sequencer").start()
            return True

    def close(self) -> None:
        """Stop serving (if this process does) and drop this thread's connection."""
        self._drop()
        if self._serving and self._pid == os.getpid():
            with contextlib.suppress(OSError):
                self._wake[1].send(b"x")

    def _serve(self, listener: socket.socket, wake: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(listener, selectors.EVENT_READ)
        selector.register(wake, selectors.EVENT_READ)
        buffers: dict[socket.socket, bytearray] = {}
        try:
            self._loop(selector, listener, wake, buffers)
        except Exception:   # noqa: BLE001 - a bug here must not leave a listener nobody serves
            log.exception("the sequencer stopped; workers commit on their own until another "
                          "takes over")
        finally:
            # Freeing the name makes every client fail over at once (re-sending its receipt).
            for sock in [listener, wake, *buffers]:
                with contextlib.suppress(OSError):
                    sock.close()
            self._serving = False

    def _loop(self, selector, listener, wake, buffers) -> None:
        snapshots: dict[str, dict] = {}
        uid = os.getuid()
        while True:
            waiting: list[tuple[socket.socket, dict]] = []
            for key, _ in selector.select():
                sock = key.fileobj
                if sock is wake:
                    return
                if sock is listener:
                    conn, _ = listener.accept()
                    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                            struct.calcsize("3i"))
                    if struct.unpack("3i", creds)[1] != uid:   # another user: not ours
                        conn.close()
                        continue
                    buffers[conn] = bytearray()
                    selector.register(conn, selectors.EVENT_READ)
                    continue
                try:
                    chunk = sock.recv(65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    selector.unregister(sock)
                    buffers.pop(sock, None)
                    sock.close()
                    continue
                buffers[sock] += chunk
                waiting += [(sock, message) for message in _frames(buffers[sock])]
            for start in range(0, len(waiting), MAX_BATCH):
                self._commit(waiting[start:start + MAX_BATCH], snapshots)

    def _commit(self, waiting: list[tuple[socket.socket, dict]],
                snapshots: dict[str, dict]) -> None:
        items, answers = [], {}
        for sock, message in waiting:
            draft = message["draft"]
            if message.get("snapshot") is not None:
                snapshots[draft["config_hash"]] = message["snapshot"]
            snapshot = snapshots.get(draft["config_hash"])
            if snapshot is None:
                answers[sock] = {"need_snapshot": True}
                continue
            now = datetime.fromisoformat(message["now"]) if message.get("now") else None
            key = message.get("idempotency")
            item = Pending(draft, snapshot, now, bool(message.get("resent")),
                           Idempotency(*key) if key else None)
            items.append((sock, item))
        if items:
            try:
                self.commit([item for _, item in items])
            except Exception as error:   # noqa: BLE001 - nothing of it committed
                fail([item for _, item in items], error)
        for sock, item in items:
            if item.error is not None:
                kind = next((name for name, kind in ERRORS.items()
                             if isinstance(item.error, kind)), "failed")
                answers[sock] = {"error": kind, "message": str(item.error)}
            else:
                # What the store added to the draft; for a replayed receipt, all that differs.
                answers[sock] = {"sealed": {k: v for k, v in item.receipt.items()
                                            if k not in item.draft or item.draft[k] != v}}
        for sock, answer in answers.items():
            with contextlib.suppress(OSError):
                _send(sock, answer)
