"""`make bench`: requests per second and latency with wrk on localhost, in one run, for the
pages readers hit most: cached (the page cache warm), uncached (the page cache off), and behind
nginx as `make prod` runs it, each against a static file of the page's own size served by the
same server, measured right before the page (the machine's load drifts within a run: a baseline
taken minutes apart moved a ratio by a third).

The data set is bench/dataset.py's (10,000 articles, half translated, 50 authors, 200 tags,
20 series) in PostgreSQL (BENCH_DATABASE_URL, default the local server's `blog_bench`), with
Redis (REDIS_URL, default db 0 of the local server). Results go to bench/RESULTS.md.

Timings live here, never in pass/fail tests: they depend on the machine and its load.
"""

import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "deploy"))
from benchkit import BENCH_DATABASE, site_env  # noqa: E402
from prod import create_database, wait_until_up  # noqa: E402

PYTHON = sys.executable
MANAGE = [PYTHON, str(ROOT / "manage.py")]
PORTS = {  # nginx, its two app servers, the uncached app server
    "nginx": int(os.environ.get("BENCH_PORT", 8080)),
    "apps": os.environ.get("BENCH_APP_PORTS", "8101,8102"),
    "uncached": int(os.environ.get("BENCH_UNCACHED_PORT", 8103)),
}
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = 16
THREADS = 2
SOAK = os.environ.get("BENCH_SOAK", "120s")
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
BASELINE = "/static/bench/page.html"  # the hub's size (bench/scale.py)


def same_size_file(size):
    return f"/static/bench/{size}.html"


def milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url, duration=DURATION, connections=CONNECTIONS, script=None):
    command = ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{duration}", "--latency"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {
        pct: milliseconds(value) for pct, value in re.findall(r"\s+(50|99)%\s+(\S+)", output)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rate": rate,
        "p50": latency["50"],
        "p99": latency["99"],
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def environment():
    env = site_env("BENCH_DATABASE_URL", BENCH_DATABASE, "bench")
    env.update(ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")
    env.update(SERVE_MEDIA="false")
    return env


def django(env, code):
    """Run Python with the site's settings and this environment; returns what it prints."""
    return subprocess.run(
        [*MANAGE, "shell", "-v0", "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def prepare(env):
    create_database(env["DATABASE_URL"])
    subprocess.run([*MANAGE, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*MANAGE, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [PYTHON, str(HERE / "dataset.py"), "--articles", "10000"], env=env, cwd=ROOT, check=True
    )
    # Bulk-loaded tables have no statistics until autovacuum gets to them; a live site has.
    django(env, "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')")
    # Addresses of typical pages in the data set, and each one's size for its static baseline.
    found = json.loads(
        django(
            env,
            """
import json
from django.test import Client
from articles.models import Article, Tag
from series.models import Series
article = Article.objects.live().filter(slug__startswith="bench-").first()
series = Series.objects.filter(slug__startswith="bench-").first()
tag = Tag.objects.filter(slug__startswith="bench-").first()
print(json.dumps({"article": article.slug, "series": series.slug, "tag": tag.slug}))
""",
        )
    )
    pages = {
        "hub": "/en/",
        "hub, page 50": "/en/?page=50",
        "article": f"/en/posts/{found['article']}/",
        "series hub": f"/en/series/{found['series']}/",
        "tag page": f"/en/tags/{found['tag']}/",
        "search": "/en/search/?q=latency+cache",
        "RSS feed": "/en/feed/",
    }
    sizes = json.loads(
        django(
            env,
            f"""
import json
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
print(json.dumps({{name: len(client.get(path).content) for name, path in {pages!r}.items()}}))
""",
        )
    )
    folder = ROOT / "staticfiles" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_bytes(b"x" * sizes["hub"])
    for size in sizes.values():
        (folder / f"{size}.html").write_bytes(b"x" * size)
    return pages, sizes


# Work queued before the run (the data set's own change: related reading ranked, cards drawn)
# keeps make prod's task worker busy on the same two cores for minutes after the start; the
# first pages measured used to pay for it. Due tasks, counted as the worker would take them.
QUEUED = """
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
due = DBTaskResult.objects.filter(run_after__lte=timezone.now())
print(due.filter(status__in=["READY", "RUNNING"]).count())
"""


def forget_running_tasks(env):
    """Tasks an earlier run's worker was killed in the middle of: no worker runs now, so any task
    marked running is one that will never finish."""
    django(
        env,
        "from django_tasks_db.models import DBTaskResult\n"
        "DBTaskResult.objects.filter(status='RUNNING').delete()",
    )


def wait_for_worker(env, seconds=900):
    deadline = time.monotonic() + seconds
    while (left := int(django(env, QUEUED))) and time.monotonic() < deadline:
        print(f"waiting for the task worker: {left} tasks due", flush=True)
        time.sleep(10)
    return left


def uncached_server(env):
    return subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "blogsite.wsgi",
            "--bind",
            f"127.0.0.1:{PORTS['uncached']}",
            "--workers",
            "2",
        ],
        env={**env, "PAGE_CACHE_SECONDS": "0"},
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def production(env, run_dir):
    return subprocess.Popen(
        [
            PYTHON,
            str(ROOT / "deploy" / "prod.py"),
            "--port",
            str(PORTS["nginx"]),
            "--app-ports",
            PORTS["apps"],
            "--run-dir",
            str(run_dir),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def worker_memory(master_port):
    """Resident memory (kB) of the gunicorn workers listening on this port."""
    masters = subprocess.run(
        ["pgrep", "-f", f"127.0.0.1:{master_port}"], capture_output=True, text=True
    ).stdout.split()
    total = 0
    for master in masters:
        children = subprocess.run(
            ["pgrep", "-P", master], capture_output=True, text=True
        ).stdout.split()
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return total


def measure(base, pages, label, rows, sizes):
    """Each page right after a static file of its size from the same server."""
    for name, path in pages.items():
        static = same_size_file(sizes[name])
        wrk(base + static, duration="3s")  # warm the workers and the caches first
        baseline = wrk(base + static)
        wrk(base + path, duration="3s")
        result = wrk(base + path)
        rows.append(
            {"mode": label, "page": name, "path": path, "size": sizes[name],
             "static": baseline["rate"], **result}
        )  # fmt: skip
        print(label, name, result, "static", baseline["rate"], flush=True)


def soak_script(pages, directory):
    """A wrk script that cycles through every page, for the long run."""
    paths = ", ".join(f'"{path}"' for path in pages.values())
    script = Path(directory) / "soak.lua"
    script.write_text(
        f"local paths = {{{paths}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\nend\n"
    )
    return script


def main():
    env = environment()
    pages, sizes = prepare(env)
    forget_running_tasks(env)
    app_port = int(PORTS["apps"].split(",")[0])
    direct = f"http://127.0.0.1:{app_port}"
    uncached = f"http://127.0.0.1:{PORTS['uncached']}"
    front = f"http://127.0.0.1:{PORTS['nginx']}"
    rows, extra = [], {}
    with tempfile.TemporaryDirectory() as run_dir:
        prod = production(env, Path(run_dir))
        plain = uncached_server(env)
        try:
            for url in (front, uncached):
                if not wait_until_up(url, seconds=300):
                    raise SystemExit(f"nothing answered on {url}")
            extra["queued"] = wait_for_worker(env)
            # Search last, in every mode: at this size one search can hold a worker for the
            # whole gunicorn timeout, and nothing measured after it would mean anything.
            search = {"search": pages.pop("search")}
            measure(direct, pages, "cached", rows, sizes)
            measure(uncached, pages, "uncached", rows, sizes)
            measure(front, pages, "nginx", rows, sizes)
            extra["burst"] = wrk(direct + "/en/", connections=50)
            extra["burst uncached"] = wrk(uncached + pages["article"], connections=50)
            before = worker_memory(app_port)
            extra["soak"] = wrk(
                direct, duration=SOAK, connections=50, script=soak_script(pages, run_dir)
            )
            extra["memory"] = (before, worker_memory(app_port))
            for label, base in (("cached", direct), ("uncached", uncached), ("nginx", front)):
                measure(base, search, label, rows, sizes)
        finally:
            plain.terminate()
            prod.send_signal(signal.SIGINT)
            for process in (plain, prod):
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
    write_results(rows, extra)


def ratio(numerator, denominator):
    return numerator / denominator if denominator else float("nan")


TARGETS = {"cached": 0.9, "uncached": 0.15}  # issue 23: of the same-size WhiteNoise file


def write_results(rows, extra):
    def rate(mode, page):
        return next(r["rate"] for r in rows if r["mode"] == mode and r["page"] == page)

    def against(mode):
        measured = [r for r in rows if r["mode"] == mode]
        ratios = sorted(ratio(r["rate"], r["static"]) for r in measured)
        below = [r["page"] for r in measured if r["rate"] < TARGETS[mode] * r["static"]]
        return (
            f"- {mode}: {ratios[0]:.2f}–{ratios[-1]:.2f}x of the same-size file (target "
            f"{TARGETS[mode]}x); below it: {'; '.join(below) or 'none'}."
        )

    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    before, after = extra["memory"]
    soak, burst, burst_uncached = extra["soak"], extra["burst"], extra["burst uncached"]
    page1 = rate("uncached", "hub")
    page50 = rate("uncached", "hub, page 50")
    lines = [
        "# Load measurements",
        "",
        f"`make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}: "
        f"{os.cpu_count()} cores ({cpu.group(1) if cpu else platform.machine()}), shared by "
        "wrk and every server, so only ratios within one run mean much.",
        "",
        "Data: bench/dataset.py in PostgreSQL (10,000 articles, half translated, 50 authors, "
        "200 tags, 20 series), Redis for the cache, DEBUG off. wrk with "
        f"{THREADS} threads and {CONNECTIONS} connections, {DURATION} per page after a 3 s "
        "warm-up. *cached*: one gunicorn app server (2 sync workers) with the page cache "
        "warm; *uncached*: the same with `PAGE_CACHE_SECONDS=0`; *nginx*: `make prod` "
        "(nginx → two app servers of 2 workers). Each page's baseline is a static file "
        "of the page's own size served by the same server (WhiteNoise in gunicorn, or nginx "
        "itself), measured just before the page. Measured once the task worker had no due "
        f"task left ({extra['queued']} still due after waiting).",
        "",
        "| mode | page | path | bytes | requests/s | p50 ms | p99 ms | same-size file req/s "
        "| vs file | non-2xx |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {r['mode']} | {r['page']} | `{r['path']}` | {r['size']:,} | {r['rate']:.0f} "
            f"| {r['p50']:.2f} | {r['p99']:.2f} | {r['static']:.0f} "
            f"| {ratio(r['rate'], r['static']):.2f}x | {r['errors']} |"
            for r in rows
        ),
        "",
        "## Against the targets",
        "",
        against("cached"),
        against("uncached"),
        f"- Page 50 of the hub, uncached: {page50:.0f} requests/s against page 1's "
        f"{page1:.0f} ({ratio(page50, page1):.0%}).",
        f"- 50 connections, cached hub: p50 {burst['p50']:.2f} ms, p99 {burst['p99']:.2f} ms "
        f"({ratio(burst['p99'], burst['p50']):.1f}x); uncached article: p50 "
        f"{burst_uncached['p50']:.2f} ms, p99 {burst_uncached['p99']:.2f} ms "
        f"({ratio(burst_uncached['p99'], burst_uncached['p50']):.1f}x).",
        f"- {SOAK} at 50 connections over every page above, cached: {soak['rate']:.0f} "
        f"requests/s, {soak['errors']} non-2xx answers"
        f"{', socket errors: ' + soak['socket_errors'] if soak['socket_errors'] else ''}; "
        f"worker memory {before / 1024:.0f} MB → {after / 1024:.0f} MB "
        f"({ratio(after - before, before):+.0%}).",
        "",
    ]
    results = HERE / "RESULTS.md"
    # The newsletter and search benchmarks keep their own marked sections below ours.
    current = results.read_text() if results.exists() else ""
    others = current[current.index("<!-- ") :] if "<!-- " in current else ""
    results.write_text("\n".join(lines) + ("\n" + others if others else ""))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
