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
"""

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
        "| page | "
        + " | ".join(f"{size:,}: req/s | p50 ms | vs static" for size in sizes)
        + (" | largest / smallest |" if len(sizes) > 1 else ""),
        "| --- |" + " ---: | ---: | ---: |" * len(sizes) + (" ---: |" if len(sizes) > 1 else ""),
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
