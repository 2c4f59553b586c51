"""What the benchmarks share: a free port, the environment of a site under measurement, /proc
readings of a worker, the environment of a site that mails a local SMTP sink, and their
sections of RESULTS.md.

The scripts run as `python bench/<name>.py`, so this folder is on their import path.
"""

import os
import re
import secrets
import socket
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# The 10,000-article data set of `make bench` and `make bench-crawl` (BENCH_DATABASE_URL).
BENCH_DATABASE = "postgres://postgres@127.0.0.1:5432/blog_bench"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_env(database_variable, default_database, key_prefix):
    """A production-like site's environment: the database `database_variable` names (else
    `default_database`), Redis, and a cache key prefix of its own, so the page cache starts
    cold and nobody else's keys are touched."""
    env = dict(os.environ)
    env["DATABASE_URL"] = os.environ.get(database_variable, default_database)
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    env["CACHE_KEY_PREFIX"] = f"{key_prefix}-{secrets.token_hex(4)}"
    env.update(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50))
    return env


def memory_kb(pid, field):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1))


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def mailing_site_env(smtp_port, name):
    """The site's settings for a run: DATABASE_URL from the caller's environment or a fresh
    SQLite file, its mail going to the sink on `smtp_port`."""
    database = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix=f'bench-{name}-')}/bench.sqlite3"
    )
    return {
        **os.environ,
        "DATABASE_URL": database,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 60,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
    }


def write_section(start, end, text):
    """Puts `text` between the markers in RESULTS.md, replacing what was there (a run rewrites
    only its own section), or appends it."""
    current = RESULTS.read_text() if RESULTS.exists() else ""
    section = f"{start}\n{text}\n{end}"
    if start in current:
        before, rest = current.split(start, 1)
        current = f"{before}{section}{rest.split(end, 1)[1]}"
    else:
        current = f"{current.rstrip()}\n\n{section}\n"
    RESULTS.write_text(current)
