"""`make bench`: pages per second and latency under gunicorn, with wrk on localhost, against
a static file served by the same server as the baseline. Results go to bench/RESULTS.md.

Timings live here, never in pass/fail tests: they depend on the machine and its load.
"""

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "audit"))
from serve import production_like_site  # noqa: E402

TARGETS = {
    "static file (baseline)": "/static/css/site.css",
    "hub": "/en/",
    "hub, page 2 (ru)": "/ru/?page=2",
    "article": "/en/posts/postgres-connection-pool-sizing/",
    "series hub": "/en/series/postgres-in-production/",
    "search": "/en/search/?q=postgres",
}
DURATION = "10s"
CONNECTIONS = 16
THREADS = 2
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url):
    output = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {
        pct: milliseconds(value) for pct, value in re.findall(r"\s+(50|99)%\s+(\S+)", output)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, latency["50"], latency["99"], int(errors.group(1)) if errors else 0


def main():
    rows = []
    with production_like_site() as site:
        for name, path in TARGETS.items():
            wrk(site + path)  # warm the caches and the workers first
            rows.append((name, path, *wrk(site + path)))
            print(rows[-1], flush=True)
    baseline = rows[0][2]
    lines = [
        "# Load measurements",
        "",
        f"`make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: wrk ({THREADS} threads, "
        f"{CONNECTIONS} connections, {DURATION} per page after a warm-up run) against gunicorn",
        "(2 sync workers, DEBUG off, SQLite, local-memory cache, demo content) on the same",
        "machine, so wrk and the server share its cores. The baseline is a static file served",
        "by the same gunicorn through WhiteNoise.",
        "",
        "| page | path | requests/s | p50 ms | p99 ms | vs static | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {name} | `{path}` | {rate:.0f} | {p50:.1f} | {p99:.1f} | "
            f"{rate / baseline:.0%} | {errors} |"
            for name, path, rate, p50, p99, errors in rows
        ),
        "",
    ]
    (HERE / "RESULTS.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
