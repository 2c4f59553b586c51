"""The floor under an uncached page: what the site's stack costs before a page's own content.

    BENCH_DATABASE_URL=postgres://…/blog_bench python bench/floor.py

Issue 23 asks an uncached page for 0.15x of a static file of its size. This measures, through
one gunicorn server of 2 workers with the page cache off (as `make bench`'s uncached mode), in
the same run, each right after a static file of its own size from the same server:

- `/robots.txt`: Django's handler, the whole middleware stack and a view, no template, no query;
- the shell: the base template every page is drawn in (header, footer, metadata, language
  links) around nothing, no query (a bench-only address, bench/floor/floor_urls.py);
- an article and the hub, the real pages.

Two rounds, interleaved; the bench data set (bench/dataset.py) must be loaded (`make bench`
loads it). Results go to bench/RESULTS.md.
"""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "deploy"))
from benchkit import BENCH_DATABASE, free_port, site_env, write_section  # noqa: E402
from prod import wait_until_up  # noqa: E402
from run import wrk  # noqa: E402

PAGES = {
    "robots.txt (stack, no template)": "/robots.txt",
    "the shell (base template, no query)": "/en/bench-shell/",
    "article": "/en/posts/bench-0/",
    "hub": "/en/",
}
ROUNDS = 2
START, END = "<!-- floor:begin -->", "<!-- floor:end -->"


def same_size_files(base, static_dir):
    """A static file of each page's size, served by the same server (WhiteNoise reads its
    folder at start: the files are written before the server starts, from a first server)."""
    import urllib.request

    sizes = {}
    for name, path in PAGES.items():
        with urllib.request.urlopen(base + path) as answer:  # noqa: S310 (our own http:)
            sizes[name] = len(answer.read())
    static_dir.mkdir(parents=True, exist_ok=True)
    for size in sizes.values():
        (static_dir / f"{size}.html").write_bytes(b"x" * size)
    return sizes


def server(env, port):
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "blogsite.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", "2"],
        env=env, cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def started(env, port):
    process = server(env, port)
    if not wait_until_up(f"http://127.0.0.1:{port}", seconds=120):
        process.kill()
        raise SystemExit("the app server did not start")
    return process


def main():
    env = site_env("BENCH_DATABASE_URL", BENCH_DATABASE, "bench-floor")
    env.update(
        DJANGO_SETTINGS_MODULE="floor_settings",
        PYTHONPATH=str(HERE / "floor"),
        PAGE_CACHE_SECONDS="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    static_dir = ROOT / "staticfiles" / "bench"
    process = started(env, port)
    try:
        sizes = same_size_files(base, static_dir)
    finally:
        process.terminate()
        process.wait(timeout=30)
    process = started(env, port)
    rows = {name: [] for name in PAGES}
    try:
        for _round in range(ROUNDS):
            for name, path in PAGES.items():
                static = f"/static/bench/{sizes[name]}.html"
                wrk(base + static, duration="2s")
                baseline = wrk(base + static)
                wrk(base + path, duration="2s")
                result = wrk(base + path)
                rows[name].append((result["rate"], baseline["rate"]))
                print(name, result["rate"], "static", baseline["rate"], flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
    write(rows, sizes)


def write(rows, sizes):
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## The floor under an uncached page (`python bench/floor.py`)",
        "",
        f"On {when}, bench data set, one gunicorn server of 2 sync workers with the page cache "
        f"off, wrk 2 threads 16 connections, {ROUNDS} rounds interleaved; each page right after "
        "a static file of its own size from the same server (WhiteNoise). Load average at the "
        f"end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        "| what | bytes | requests/s | same-size file req/s | vs file |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, results in rows.items():
        for rate, static in results:
            lines.append(
                f"| {name} | {sizes[name]:,} | {rate:.0f} | {static:.0f} | {rate / static:.2f}x |"
            )
    write_section(START, END, "\n".join(lines))


if __name__ == "__main__":
    main()
