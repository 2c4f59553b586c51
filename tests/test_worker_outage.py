"""The task worker outlives a database outage instead of exiting (issue 28, finding 1)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_worker_waits_for_an_unreachable_database_instead_of_exiting(tmp_path):
    env = {
        **os.environ,
        # A PostgreSQL server that is down: nothing listens on this port.
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/blog",
        "DB_CONN_MAX_AGE": "0",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        output = ""
        while "retrying in" not in output:
            assert worker.poll() is None, output  # exited instead of waiting
            assert time.monotonic() < deadline, output
            output += worker.stdout.readline()
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
