"""Whether an uncached page costs the same at 10,000 and at 100,000 articles (issue 23).

    python bench/scale.py                      # both sizes, databases made when missing
    BENCH_SCALE_DATABASES="10000=postgres://…/a,100000=postgres://…/b" python bench/scale.py

For each size: the bench data set (bench/dataset.py) in its own PostgreSQL database, one
gunicorn app server (2 sync workers) with the page cache off (`PAGE_CACHE_SECONDS=0`: every
request renders; counts kept and related reading stored still come from Redis and the
database, as on a site after a change), and wrk (2 threads, 16 connections, 10 s after a 3 s
warm-up) on the hub, an article, a series hub, a tag page and the feed, then on a static file
of the hub's size served by the same server through WhiteNoise: the ratio is to that file,
in the same run. Results go to RESULTS.md between the `scale` markers.

Then the same pages in one process per size (Django's test client, no HTTP, no wrk): the CPU
time and the wall time of a request, the least of several rounds, and the queries it makes,
the sizes alternating. On a machine other work shares, wrk's rates swing by 2x from one
minute to the next; a process's own CPU time and the query count do not, so this is the table
that says whether a page costs more at 100,000 articles. `BENCH_SCALE_WRK=0` skips the wrk
part. Results go between the `scale-in-process` markers.
"""

import json
import os
import secrets
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchkit import free_port, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(HERE))
from prod import create_database, wait_until_up  # noqa: E402
from run import BASELINE, CONNECTIONS, DURATION, PYTHON, THREADS, django, wrk  # noqa: E402

START, END = "<!-- scale -->", "<!-- /scale -->"
IN_PROCESS_START, IN_PROCESS_END = "<!-- scale-in-process -->", "<!-- /scale-in-process -->"
IN_PROCESS_ROUNDS, IN_PROCESS_REQUESTS = 5, 20
# Run by `manage.py shell` in each size's environment; prints one JSON line.
IN_PROCESS = """
import json, time
from django.db import connection
from django.test import Client

client = Client(HTTP_HOST="127.0.0.1")
queries = []
def count(execute, sql, params, many, context):
    queries.append(sql)
    return execute(sql, params, many, context)
found = {}
for name, path in PAGES.items():
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    with connection.execute_wrapper(count):
        queries.clear()
        client.get(path)
    made = len(queries)
    rounds = []
    for _ in range(ROUNDS):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(REQUESTS):
            client.get(path)
        rounds.append(((time.process_time() - cpu) * 1000 / REQUESTS,
                       (time.perf_counter() - wall) * 1000 / REQUESTS))
    found[name] = {"cpu": min(r[0] for r in rounds), "wall": min(r[1] for r in rounds),
                   "queries": made}
print(json.dumps(found))
"""
PAGES = {
    "hub": "/en/",
    "article": "/en/posts/bench-0/",
    "series hub": "/en/series/bench-series-0/",
    "tag page": "/en/tags/bench-tag-130/",
    "RSS feed": "/en/feed/",
}


def databases():
    given = os.environ.get("BENCH_SCALE_DATABASES")
    if given:
        pairs = (item.split("=", 1) for item in given.split(","))
        return {int(size): url for size, url in pairs}
    base = "postgres://postgres@127.0.0.1:5432/blog_bench"
    return {10000: f"{base}_10k", 100000: f"{base}_100k"}


def environment(url):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SERVE_MEDIA="false",
        SOCIAL_IMAGES="false",
        PAGE_CACHE_SECONDS="0",
        # Nothing kept by an earlier run, nobody else's keys touched.
        CACHE_KEY_PREFIX=f"bench-scale-{secrets.token_hex(4)}",
    )
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    return env


def prepare(env, size):
    create_database(env["DATABASE_URL"])
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [PYTHON, str(HERE / "dataset.py"), "--articles", str(size)], env=env, cwd=ROOT, check=True
    )
    django(env, "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')")
    size_of_hub = django(
        env,
        "from django.test import Client; "
        "print(len(Client(HTTP_HOST='127.0.0.1').get('/en/').content))",
    )
    baseline = ROOT / "staticfiles" / "bench" / "page.html"
    baseline.parent.mkdir(parents=True, exist_ok=True)
    baseline.write_bytes(b"x" * int(size_of_hub.splitlines()[-1]))


def start(env):
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "blogsite.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    if not wait_until_up(base, seconds=120):
        server.terminate()
        raise SystemExit(f"nothing answered on {base}")
    return server, base


def measure(bases):
    """Each page at every size back to back, the order of the sizes alternating from page to
    page, so that the neighbours' load drifting during the run falls on both sizes alike. The
    static file is measured first and last at each size; its mean is the baseline."""
    results = {size: {} for size in bases}
    names = ["static file, same size", *PAGES, "static file, again"]
    for number, name in enumerate(names):
        path = PAGES.get(name, BASELINE)
        sizes = sorted(bases, reverse=bool(number % 2))
        for size in sizes:
            wrk(bases[size] + path, duration="3s")  # warm the workers (and rank what is not yet)
            results[size][name] = wrk(bases[size] + path)
            print(size, name, results[size][name], flush=True)
    for rows in results.values():
        first, last = rows.pop("static file, same size"), rows.pop("static file, again")
        rows["static file, same size"] = {
            "rate": (first["rate"] + last["rate"]) / 2,
            "p50": (first["p50"] + last["p50"]) / 2,
        }
    return results


def main():
    servers, bases = [], {}
    envs = {size: environment(url) for size, url in sorted(databases().items())}
    # All prepared before any server starts: they share the static file (of the last hub's
    # size, a few bytes apart), which WhiteNoise indexes when it starts.
    for size, env in envs.items():
        prepare(env, size)
    if os.environ.get("BENCH_SCALE_WRK", "1") != "0":
        try:
            for size, env in envs.items():
                server, bases[size] = start(env)
                servers.append(server)
            results = measure(bases)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=60)
        write(results)
    write_in_process(measure_in_process(envs))


def measure_in_process(envs, rounds=2):
    """{size: {page: {"cpu", "wall", "queries"}}}: the least of each size's runs, which
    alternate between the sizes."""
    code = (
        IN_PROCESS.replace("PAGES.items()", f"{PAGES!r}.items()")
        .replace("ROUNDS", str(IN_PROCESS_ROUNDS))
        .replace("REQUESTS", str(IN_PROCESS_REQUESTS))
    )
    results = {}
    for _ in range(rounds):
        for size, env in envs.items():
            run = json.loads(django(env, code).splitlines()[-1])
            print(size, run, flush=True)
            best = results.setdefault(size, run)
            for name, row in run.items():
                best[name] = {
                    "cpu": min(best[name]["cpu"], row["cpu"]),
                    "wall": min(best[name]["wall"], row["wall"]),
                    "queries": row["queries"],
                }
    return results


def table_head(sizes, columns, ratio):
    """A table's two header lines: three `columns` a size, then the `ratio` column when there
    are two sizes or more."""
    several = len(sizes) > 1
    return [
        "| page | "
        + " | ".join(f"{size:,}: {columns}" for size in sizes)
        + (f" | {ratio} |" if several else " |"),
        "| --- |" + " ---: | ---: | ---: |" * len(sizes) + (" ---: |" if several else ""),
    ]


def write_in_process(results):
    sizes = sorted(results)
    load = os.getloadavg()[0]
    lines = [
        f"`python bench/scale.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, in one process "
        "per size (Django's test client, page cache off, PostgreSQL and Redis): a request's "
        f"CPU time and wall time in ms, the least of {IN_PROCESS_ROUNDS} rounds of "
        f"{IN_PROCESS_REQUESTS} requests in each of two runs per size (the sizes alternating), "
        f"and the queries it makes. Load average at the end: {load:.1f} on 2 shared cores.",
        "",
        *table_head(sizes, "CPU ms | wall ms | queries", "CPU, largest size / smallest"),
    ]
    for name in PAGES:
        rows = [results[size][name] for size in sizes]
        cells = (f"{row['cpu']:.1f} | {row['wall']:.1f} | {row['queries']}" for row in rows)
        line = f"| {name} | " + " | ".join(cells)
        if len(sizes) > 1:
            line += f" | {rows[-1]['cpu'] / rows[0]['cpu']:.0%}"
        lines.append(line + " |")
    write_section(IN_PROCESS_START, IN_PROCESS_END, "\n".join(lines))
    print("\n".join(lines))


def write(results):
    sizes = sorted(results)
    load = os.getloadavg()[0]
    lines = [
        f"`python bench/scale.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: uncached pages "
        f"(`PAGE_CACHE_SECONDS=0`) on one gunicorn server of 2 workers, PostgreSQL and Redis, "
        f"wrk {THREADS} threads, {CONNECTIONS} connections, {DURATION} per page; *vs static* "
        "is the page's requests/s over a same-size static file's through WhiteNoise in the "
        f"same server and run. Load average at the end: {load:.1f} on 2 shared cores.",
        "",
        *table_head(sizes, "req/s | p50 ms | vs static", "largest / smallest"),
    ]
    for name in ["static file, same size", *PAGES]:
        cells = []
        for size in sizes:
            row, static = results[size][name], results[size]["static file, same size"]
            cells.append(
                f"{row['rate']:.0f} | {row['p50']:.1f} | {row['rate'] / static['rate']:.3f}x"
            )
        line = f"| {name} | " + " | ".join(cells)
        if len(sizes) > 1:
            first, last = results[sizes[0]][name]["rate"], results[sizes[-1]][name]["rate"]
            line += f" | {last / first:.0%}"
        lines.append(line + " |")
    write_section(START, END, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
