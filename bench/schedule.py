"""`make bench-schedule`: a scheduled article through nginx, to its second, round after round.

    BENCH_SCHEDULE_DATABASE_URL=postgres://…/blog_schedule REDIS_URL=redis://…/7 \
        python bench/schedule.py

Starts deploy/prod.py on free ports over the demo content (loaded into the database when it
has none), with a key prefix and an nginx cache of its own, and nginx's error log at info level
(where "cache lock timeout" is written). Then, BENCH_SCHEDULE_ROUNDS times (20 by default) for
each kind of load, an editor schedules a new article BENCH_SCHEDULE_LEAD seconds ahead (4 by
default; its time on a whole second) with `Article.publish(at)`, as the admin does, while wrk
keeps 50 connections on the hub and other hot pages, with or without the scheduled article's
own address among them. A reader asks for the article's page every 10 ms: how long after its
second nginx first answered 200 (never before it), and what nginx said about that answer.

Writes nothing to bench/RESULTS.md: the figures are printed, to be read and written by hand.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from crawl import (  # noqa: E402
    LOAD_CONNECTIONS,
    MANAGE,
    ROOT,
    Connection,
    create_database,
    free_port,
    settle,
    setup_django,
    site_env,
    start_site,
    stop_site,
)

ROUNDS = int(os.environ.get("BENCH_SCHEDULE_ROUNDS", 20))
LEAD = int(os.environ.get("BENCH_SCHEDULE_LEAD", 4))
POLL_EVERY = 0.01
HOT = ["/en/", "/ru/", "/en/feed/", "/en/tags/", "/en/archive/"]

WRK_SCRIPT = """
local paths = {%(paths)s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def environment():
    env = site_env(
        "BENCH_SCHEDULE_DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/blog_schedule",
        "bench-schedule",
    )
    env["PROD_PURGE_PORT"] = str(free_port())
    return env


def prepare(env):
    create_database(env["DATABASE_URL"])
    for command in (["migrate", "--noinput", "-v0"], ["load_demo_site", "-v0"]):
        subprocess.run([*MANAGE, *command], env=env, cwd=ROOT, check=True)


def log_at_info(run_dir):
    """nginx's error log at info level, where it writes each "cache lock timeout"."""
    conf = run_dir / "nginx.conf"
    conf.write_text(
        conf.read_text().replace("error_log error.log warn;", "error_log error.log info;")
    )
    pid = int((run_dir / "nginx.pid").read_text())
    os.kill(pid, 1)  # SIGHUP: nginx reads its configuration again
    time.sleep(1)
    assert b"start worker process" in (run_dir / "error.log").read_bytes()


def wrk(base, paths, seconds, directory):
    script = Path(directory) / "load.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(f'"{path}"' for path in paths)})
    command = ["wrk", "-t2", f"-c{LOAD_CONNECTIONS}", f"-d{seconds}s", "-s", str(script), base]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def one_round(base, number, on_page, directory, log):
    """Seconds from the article's time to nginx's first 200 for its page, and what was seen."""
    from articles.models import Article, Author

    slug = f"scheduled-{int(time.time())}-{number}"
    path = f"/en/posts/{slug}/"
    connection = Connection(base)
    article = Article.objects.create(
        slug=slug,
        title_en=f"Scheduled {number}",
        summary_en="Scheduled to the second.",
        body_en="Scheduled.",
        status=Article.Status.DRAFT,
        author=Author.objects.first(),
    )
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=LEAD)
    paths = [*HOT, path] if on_page else HOT
    load = wrk(base, paths, LEAD + 3, directory)
    log_start = log.stat().st_size
    article.publish(at)
    due = at.timestamp()
    early = []
    first = None
    statuses = Counter()
    while time.time() < due + 5:
        status, headers, _body = connection.get(path)
        answered = time.time()
        if status == 200:
            if answered < due:  # answered before its second: early
                early.append(answered - due)
            first = (answered - due, headers.get("X-Cache-Status"))
            break
        if answered > due:
            statuses[f"{status} {headers.get('X-Cache-Status')}"] += 1
        time.sleep(POLL_EVERY)
    output, _ = load.communicate()
    timeouts = log.read_bytes()[log_start:].count(b"cache lock timeout")
    requests = re.search(r"(\d+) requests in", output)
    return {
        "late": first[0] if first else float("inf"),
        "cache": first[1] if first else None,
        "early": early,
        "after": dict(statuses),
        "lock_timeouts": timeouts,
        "load_requests": int(requests.group(1)) if requests else 0,
    }


def report(name, rounds):
    late = sorted(result["late"] for result in rounds)
    early = sum(len(result["early"]) for result in rounds)
    timeouts = sum(result["lock_timeouts"] for result in rounds)
    print(
        f"{name}: {len(rounds)} rounds, first 200 after its second: min {late[0]:.3f} s, "
        f"median {statistics.median(late):.3f} s, max {late[-1]:.3f} s; "
        f"over 1 s: {sum(1 for value in late if value > 1)}; early 200s: {early}; "
        f"'cache lock timeout' lines: {timeouts}",
        flush=True,
    )


def main():
    env = environment()
    prepare(env)
    with tempfile.TemporaryDirectory(prefix="bench-schedule-") as directory:
        run_dir = Path(directory) / "prod"
        process, base = start_site(env, run_dir)
        try:
            setup_django(env, base, run_dir)
            settle()
            log_at_info(run_dir)
            results = {}
            for name, on_page in (
                ("load on the hub, not the page", False),
                ("load on the page too", True),
            ):
                rounds = results[name] = []
                for number in range(ROUNDS):
                    result = one_round(base, number, on_page, directory, run_dir / "error.log")
                    print(f"  {name} #{number}: {result}", flush=True)
                    rounds.append(result)
            for name, rounds in results.items():
                report(name, rounds)
        finally:
            stop_site(process)


if __name__ == "__main__":
    main()
