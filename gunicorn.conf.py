"""Production serving: `make serve` (or `gunicorn -c gunicorn.conf.py app:app`).

Environment: CONSENT_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers,
default 2 x cores + 1), CONSENT_THREADS (threads per worker, default 4).
"""

import multiprocessing
import os

bind = os.environ.get("CONSENT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads overlap SQLite's fsync and network waits; each thread has its own connection.
worker_class = "gthread"
threads = int(os.environ.get("CONSENT_THREADS", 4))
# The app (policies, GeoIP reader) is built once and shared copy-on-write by the workers;
# the store opens no connection before the fork.
preload_app = True
timeout = 30
graceful_timeout = 10
keepalive = 5
max_requests = 20000          # recycle workers now and then; jitter avoids all at once
max_requests_jitter = 2000
# Access log without the client address: no full IP is ever stored, logs included.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
