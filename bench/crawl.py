"""`make bench-crawl`: the site as crawlers and editors meet it, through `make prod`'s topology.

    BENCH_DATABASE_URL=postgres://…/blog_bench python bench/crawl.py

Starts deploy/prod.py on free ports (nginx with the cache-purge module in front of two gunicorn
app servers, PostgreSQL, Redis, the task workers) over bench/dataset.py's 10,000 articles, with
a key prefix and an nginx cache of its own (both cold), then measures:

- **crawl**: every distinct public address the site itself names (the sitemap, then page 1 of
  every listing in it for its pagination and its feeds) fetched once, in a shuffled order, by
  16 connections: pages/s, p50/p99, every non-200, and the share the app rendered (nginx's
  X-Cache-Status says whether the request reached the app, the app's X-Page-Cache whether it
  rendered). Then the same list again (a second crawler, or the first one's next visit).
- **publish under load**: wrk, 50 connections on the 20 hottest pages, 30 s before and 60 s
  while an editor publishes an article every 5 s: p99 during against before, errors, and how
  many renders each publish cost (counted by wrk from the headers, and per page by a watcher
  that sees each page's Last-Modified change).
- **withdrawal and schedule**: an unpublished article's page gone through nginx (seconds from
  the editor's save to the first 404), and a scheduled article's page and hub entry through
  nginx (seconds after its time; never before).

The crawl's client is Python (threads, one keep-alive connection each), not wrk: each URL must
be asked for exactly once and each answer's status and cache headers kept per URL, and wrk
runs for a duration and gives its Lua `response()` no way to tell which request an answer
belongs to. The crawl is bounded by renders (tens of ms each), so the client's fraction of a
millisecond per request does not limit it; its CPU time is reported beside the figures. The
publish load is served by nginx's cache at thousands of requests/s, so that part is wrk's.

BENCH_CRAWL_SECONDS caps the crawl (a quick run; the coverage is then reported); BENCH_CRAWL=0
skips it (and the discovery), measuring only the publish under load, the withdrawal and the
schedule, whose part of the section it then replaces, keeping the crawl figures that are there.
Results go to the crawl section of bench/RESULTS.md.
"""

import http.client
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "deploy"))
from benchkit import BENCH_DATABASE, RESULTS, free_port, site_env, write_section  # noqa: E402
from prod import create_database  # noqa: E402

PYTHON = sys.executable
MANAGE = [PYTHON, str(ROOT / "manage.py")]
CRAWL_CONNECTIONS = 16
LOAD_CONNECTIONS = 50
BEFORE_SECONDS = int(os.environ.get("BENCH_BEFORE_SECONDS", 30))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", 60))
PUBLISH_EVERY = 5
ARTICLES = int(os.environ.get("BENCH_ARTICLES", 10000))  # fewer for a quick look
CRAWL_SECONDS = float(os.environ.get("BENCH_CRAWL_SECONDS", 0)) or None
CRAWL = os.environ.get("BENCH_CRAWL", "1") != "0"
# A crawler's request: it takes gzip like any real one. The app and nginx both answer it.
CRAWLER_HEADERS = {"User-Agent": "bench-crawler/1.0", "Accept-Encoding": "gzip"}
# Discovery must not warm what the crawl measures: nginx neither serves nor keeps a request
# with credentials, and the app neither answers it from its page cache nor stores it.
UNCACHED = {"User-Agent": "bench-crawler/1.0", "Authorization": "Bearer bench-discovery"}
SLUG_PREFIX = "bench-load-"


# --- the site ------------------------------------------------------------------------------


def environment():
    env = site_env("BENCH_DATABASE_URL", BENCH_DATABASE, "bench-crawl")
    env["PROD_PURGE_PORT"] = str(free_port())
    return env


def prepare(env):
    create_database(env["DATABASE_URL"])
    subprocess.run([*MANAGE, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [PYTHON, str(HERE / "dataset.py"), "--articles", str(ARTICLES)],
        env=env,
        cwd=ROOT,
        check=True,
    )
    # Cold like the caches: the page index and pending changes of an earlier run name the
    # addresses of an nginx that is gone (each would be purged in vain after the first change).
    forget = (
        "from sitewide.models import PageAddress, PendingInvalidation; "
        "PageAddress.objects.all().delete(); PendingInvalidation.objects.all().delete()"
    )
    subprocess.run([*MANAGE, "shell", "-v0", "-c", forget], env=env, cwd=ROOT, check=True)
    # Bulk-loaded tables have no statistics until autovacuum gets to them; a live site has.
    code = "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
    subprocess.run([*MANAGE, "shell", "-v0", "-c", code], env=env, cwd=ROOT, check=True)


def start_site(env, run_dir):
    """deploy/prod.py on free ports; returns (process, base URL) once it serves."""
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            str(ROOT / "deploy" / "prod.py"),
            "--port",
            str(port),
            "--app-ports",
            f"{free_port()},{free_port()}",
            "--run-dir",
            str(run_dir),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    line = ""
    for line in process.stdout:
        print("  prod:", line.rstrip(), flush=True)
        if line.startswith(("Serving on", "Stopped")):
            break
    if not line.startswith("Serving on"):
        stop_site(process)
        raise SystemExit("make prod's topology did not start: " + line)
    # Keep reading what the servers print, so a full pipe never blocks them.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    return process, f"http://127.0.0.1:{port}"


def stop_site(process):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def setup_django(env, base, run_dir):
    """This process as the editor: the prod site's own settings and queues, so a save here
    reaches the site's workers as an admin save would."""
    from prod import production_env

    class Args:  # what production_env reads of prod.py's arguments
        port = urlsplit(base).port
        purge_port = int(env["PROD_PURGE_PORT"])

    Args.run_dir = run_dir
    os.environ.update(env)
    os.environ.update(production_env(Args))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import django

    django.setup()


def settle(seconds=300):
    """Until the workers have done what is queued (a first start re-renders the data set's
    articles, and each change queues its invalidation): a crawl meanwhile would measure them."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    started = timezone.now() - timedelta(minutes=10)  # older RUNNING rows are a killed worker's
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = DBTaskResult.objects.ready().count()
        busy += DBTaskResult.objects.running().filter(started_at__gte=started).count()
        if not busy:
            return
        time.sleep(1)
    print("warning: the workers still had work queued", flush=True)


# --- HTTP ----------------------------------------------------------------------------------


class Connection:
    """One keep-alive connection; opened again after an error, as a crawler would."""

    def __init__(self, base, timeout=30):
        parts = urlsplit(base)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.connection = None

    def get(self, path, headers=CRAWLER_HEADERS):
        """(status, headers, body); status 0 for a connection error."""
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self.connection.request("GET", path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                self.connection.close()
                self.connection = None
                # A keep-alive connection the server closed between requests: ask again once.
                if attempt == 2 or not isinstance(error, http.client.RemoteDisconnected):
                    return 0, {}, str(error).encode()
                continue
            if response.will_close:
                self.connection.close()
                self.connection = None
            return response.status, response.headers, body
        return 0, {}, b""


def fetch_all(base, paths, connections, headers=CRAWLER_HEADERS, deadline=None, bodies=False):
    """Each path once over `connections` keep-alive connections, in the given order. Returns
    ([(path, status, seconds, X-Cache-Status, X-Page-Cache, body or its length)], seconds)."""
    work = iter(paths)
    lock = threading.Lock()
    results = []

    def run():
        connection = Connection(base)
        mine = []
        while deadline is None or time.monotonic() < deadline:
            with lock:
                path = next(work, None)
            if path is None:
                break
            started = time.perf_counter()
            status, answer, body = connection.get(path, headers)
            seconds = time.perf_counter() - started
            mine.append(
                (
                    path,
                    status,
                    seconds,
                    answer.get("X-Cache-Status", ""),
                    answer.get("X-Page-Cache", ""),
                    body if bodies else len(body),
                )
            )
        with lock:
            results.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


# --- the URL list, from the site itself ----------------------------------------------------


class PageLinks(HTMLParser):
    """A page's feeds (<link rel="alternate" type=…>) and its pagination: the rel="next" link
    and the last number in the pagination's "Page 1 of N"."""

    def __init__(self):
        super().__init__()
        self.feeds, self.next, self.pages = [], None, 1
        self.in_pagination = False
        self.in_count = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("type"):
            self.feeds.append(attrs["href"])
        elif tag == "nav" and "pagination" in (attrs.get("class") or ""):
            self.in_pagination = True
        elif self.in_pagination and tag == "a" and attrs.get("rel") == "next":
            self.next = attrs["href"]
        elif self.in_pagination and tag == "span":
            self.in_count = True

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_pagination = False
        elif tag == "span":
            self.in_count = False

    def handle_data(self, data):
        if self.in_count and (numbers := re.findall(r"\d+", data)):
            self.pages = int(numbers[-1])


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"


def local(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sitemap_addresses(connection, path):
    """Every <loc> and hreflang alternate of a sitemap, following a sitemap index and the
    sitemap's own pages (?p=2, …) when it has them."""
    found, queue, seen = set(), [path], set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        status, _headers, body = connection.get(path, UNCACHED)
        if status != 200:
            raise SystemExit(f"{path}: {status}")
        tree = ElementTree.fromstring(body)  # noqa: S314 (our own site's sitemap)
        if tree.tag == f"{SITEMAP_NS}sitemapindex":
            queue += [local(loc.text) for loc in tree.iter(f"{SITEMAP_NS}loc")]
            continue
        found |= {local(loc.text) for loc in tree.iter(f"{SITEMAP_NS}loc")}
        # Each language's address; x-default is the bare one, which redirects by language.
        found |= {
            local(link.get("href"))
            for link in tree.iter(f"{XHTML_NS}link")
            if link.get("hreflang") != "x-default"
        }
    return found | seen


def discover(base):
    """The site's public addresses: robots.txt's sitemap, every address in it, and, from page 1
    of each listing in it (everything but articles), its feeds and its other pages."""
    connection = Connection(base)
    status, _headers, robots = connection.get("/robots.txt", UNCACHED)
    assert status == 200, status
    sitemaps = re.findall(r"(?mi)^Sitemap:\s*(\S+)", robots.decode())
    addresses = {"/robots.txt"}
    for sitemap in sitemaps:
        addresses |= sitemap_addresses(connection, local(sitemap))
    listings = sorted(
        path for path in addresses if "/posts/" not in path and not path.endswith(".xml")
    )
    pages, _seconds = fetch_all(base, listings, CRAWL_CONNECTIONS, headers=UNCACHED, bodies=True)
    for path, status, _seconds, _cache, _page, body in pages:
        if status != 200:
            raise SystemExit(f"discovery: {path} answered {status}")
        links = PageLinks()
        links.feed(body.decode())
        addresses |= {local(href) for href in links.feeds}
        if links.next:
            # Page 2's address as the page itself writes it, numbered on to the last page.
            following = local(urljoin(path, links.next))
            assert re.search(r"page=2\b", following), following
            for number in range(2, links.pages + 1):
                addresses.add(re.sub(r"page=2\b", f"page={number}", following))
    return sorted(addresses)


def kind(path):
    """What a page is, for the breakdown."""
    rules = (
        (r"feed|\.xml$|robots", "feed, sitemap, robots"),
        (r"^/[a-z-]+/posts/", "article"),
        (r"^/[a-z-]+/(\?|$)", "hub pages"),
        (r"^/[a-z-]+/tags/[^/]+/", "tag pages"),
        (r"^/[a-z-]+/authors/[^/]+/", "author pages"),
        (r"^/[a-z-]+/archive/\d+/", "archive pages"),
        (r"^/[a-z-]+/series/[^/]+/", "series pages"),
    )
    return next((name for pattern, name in rules if re.search(pattern, path)), "indexes")


# --- figures -------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def rendered(record):
    """The app made this answer: nginx passed the request on (no HIT) and the app's page cache
    did not answer it either (a page it does not keep has no X-Page-Cache)."""
    _path, _status, _seconds, cache, page, _body = record
    return cache != "HIT" and page != "hit"


def summary(records, seconds):
    latencies = [record[2] * 1000 for record in records]
    return {
        "count": len(records),
        "rate": len(records) / seconds if seconds else float("nan"),
        "p50": percentile(latencies, 0.50),
        "p90": percentile(latencies, 0.90),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
        "errors": Counter(record[1] for record in records if record[1] != 200),
        "failed": sorted(record[0] for record in records if record[1] != 200)[:10],
        "rendered": sum(map(rendered, records)) / len(records) if records else float("nan"),
        "cache": Counter(record[3] or "-" for record in records),
    }


def by_kind(records):
    groups = defaultdict(list)
    for record in records:
        groups[kind(record[0])].append(record)
    return {name: summary(group, 0) for name, group in sorted(groups.items())}


def crawl(base, addresses, seed):
    order = list(addresses)
    random.Random(seed).shuffle(order)  # noqa: S311 (a repeatable order, not a secret)
    deadline = time.monotonic() + CRAWL_SECONDS if CRAWL_SECONDS else None
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    load = os.getloadavg()[0]
    records, seconds = fetch_all(base, order, CRAWL_CONNECTIONS, deadline=deadline)
    used = resource.getrusage(resource.RUSAGE_SELF)
    result = summary(records, seconds)
    result.update(
        seconds=seconds,
        kinds=by_kind(records),
        client_cpu=(used.ru_utime + used.ru_stime) - (cpu.ru_utime + cpu.ru_stime),
        load=(load, os.getloadavg()[0]),
        slowest=sorted(records, key=lambda record: -record[2])[:8],
        records=records,
    )
    print(
        f"crawl: {result['count']} pages in {seconds:.1f} s, {result['rate']:.0f}/s, "
        f"p99 {result['p99']:.0f} ms, errors {dict(result['errors'])}, "
        f"rendered {result['rendered']:.0%}; non-200 for {result['failed']}",
        flush=True,
    )
    return result


# --- publish under load --------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {%(paths)s}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter)
  table.insert(threads, thread)
end

function init(args)
  i = offset
  seen, renders, failed = 0, 0, 0
end

function request()
  i = i %% #paths + 1
  return wrk.format(nil, paths[i])
end

function response(status, headers, body)
  seen = seen + 1
  if status ~= 200 then failed = failed + 1 end
  if headers["X-Cache-Status"] ~= "HIT" and headers["X-Page-Cache"] ~= "hit" then
    renders = renders + 1
  end
end

function done(summary, latency, requests)
  local seen_all, renders_all, failed_all = 0, 0, 0
  for _, thread in ipairs(threads) do
    seen_all = seen_all + thread:get("seen")
    renders_all = renders_all + thread:get("renders")
    failed_all = failed_all + thread:get("failed")
  end
  io.write(string.format("BENCH %%d %%d %%d", seen_all, renders_all, failed_all))
  for _, p in ipairs({50, 90, 95, 98, 99, 99.5, 99.9}) do
    io.write(string.format(" %%d", latency:percentile(p)))
  end
  io.write(string.format(" %%d\\n", latency.max))
end
"""


def wrk(base, script, seconds):
    command = ["wrk", "-t2", f"-c{LOAD_CONNECTIONS}", f"-d{seconds}s", "-s", str(script), base]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    seen, renders, failed, *latency = map(int, re.search(r"BENCH (.*)", output).group(1).split())
    tail = dict(
        zip(("p50", "p90", "p95", "p98", "p99", "p99.5", "p99.9", "max"), latency, strict=True)
    )
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": seen,
        "rate": seen / seconds,
        "renders": renders,
        "errors": failed,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        **{name: microseconds / 1000 for name, microseconds in tail.items()},
    }


def hot_pages():
    """The 20 pages readers ask for most: the hubs and their feeds, the indexes, and the
    newest articles."""
    from articles.models import Article

    pages = ["/en/", "/ru/", "/en/?page=2", "/en/feed/", "/en/feed/atom/", "/en/feed.json"]
    pages += ["/ru/feed/", "/en/tags/", "/en/archive/", "/en/series/", "/en/authors/"]
    newest = Article.objects.live().order_by("-published_at").values_list("slug", flat=True)
    pages += [f"/en/posts/{slug}/" for slug in newest[: 20 - len(pages)]]
    return pages


def publish(number):
    """What an editor's save of a new article does: a published article with two tags."""
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article

    old = Article.objects.live().filter(slug__startswith="bench-").order_by("?").first()
    with transaction.atomic():
        article = Article.objects.create(
            slug=f"{SLUG_PREFIX}{int(time.time())}-{number}",
            title_en=f"Published under load {number}",
            summary_en="A new article, published while readers keep asking.",
            body_en="Published under load.",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
            author=old.author,
        )
        article.tags.set(old.tags.all()[:2])
    return article


class Watcher(threading.Thread):
    """Asks for each hot page through nginx in turn and keeps each Last-Modified it sees: a
    new one is a new render (the app dates each render, a copy made again within its second
    one second later)."""

    def __init__(self, base, pages):
        super().__init__(daemon=True)
        self.base, self.pages = base, pages
        self.seen = defaultdict(set)
        self.stopping = threading.Event()

    def run(self):
        connection = Connection(self.base)
        while not self.stopping.is_set():
            for path in self.pages:
                _status, headers, _body = connection.get(path)
                self.seen[path].add(headers.get("Last-Modified"))
            time.sleep(0.05)

    def renders(self):
        return {path: len(values) - 1 for path, values in self.seen.items()}


def warm(base, pages):
    """Until nginx answers each page from its cache (a page rendered while the worker is busy
    with a change is kept a second only)."""
    connection = Connection(base)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all(connection.get(path)[1].get("X-Cache-Status") == "HIT" for path in pages):
            return
        time.sleep(0.5)
    print("warning: not every hot page came from nginx's cache", flush=True)


def publish_under_load(base, directory):
    pages = hot_pages()
    script = Path(directory) / "hot.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(f'"{path}"' for path in pages)})
    warm(base, pages)
    load_before = os.getloadavg()[0]
    before = wrk(base, script, BEFORE_SECONDS)
    print("publish load, before:", before, flush=True)
    watcher = Watcher(base, pages)
    warm(base, pages)
    watcher.start()
    outcome = {}
    runner = threading.Thread(
        target=lambda: outcome.update(during=wrk(base, script, LOAD_SECONDS)), daemon=True
    )
    started = time.monotonic()
    runner.start()
    published = []
    for number in range(LOAD_SECONDS // PUBLISH_EVERY):
        wait = started + number * PUBLISH_EVERY + 1 - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        published.append(publish(number))
    runner.join()
    time.sleep(1)  # the last publish's renders, seen by the watcher
    watcher.stopping.set()
    watcher.join()
    during = outcome["during"]
    print("publish load, during:", during, flush=True)
    return {
        "pages": pages,
        "before": before,
        "during": during,
        "publishes": len(published),
        "watched": watcher.renders(),
        "load": (load_before, os.getloadavg()[0]),
        "articles": published,
    }


# --- withdrawal and schedule ---------------------------------------------------------------


def status_of(connection, path):
    return connection.get(path)[0]


def unpublished_gone(base, article):
    """Seconds from the editor's save to the first 404 nginx answers for the page, which it
    was answering from its cache."""
    from articles.models import Article

    connection = Connection(base)
    path = f"/en/posts/{article.slug}/"
    deadline = time.monotonic() + 30
    while connection.get(path)[1].get("X-Cache-Status") != "HIT":
        assert time.monotonic() < deadline, f"{path} never came from nginx's cache"
        time.sleep(0.1)
    article.status = Article.Status.DRAFT
    article.save()
    saved = time.monotonic()
    while status_of(connection, path) == 200:
        if time.monotonic() - saved > 30:
            return float("inf")
        time.sleep(0.01)
    return time.monotonic() - saved


def scheduled_on_time(base, number):
    """An article scheduled a few seconds ahead (on a whole second): when nginx first answers
    its page and when the hub first lists it, in seconds after its time (negative: early)."""
    from django.utils import timezone

    from articles.models import Article

    connection = Connection(base)
    old = Article.objects.live().filter(slug__startswith="bench-").first()
    at = timezone.now().replace(microsecond=0) + timedelta(seconds=6)
    article = Article.objects.create(
        slug=f"{SLUG_PREFIX}scheduled-{int(time.time())}-{number}",
        title_en=f"Scheduled {number}",
        summary_en="Scheduled to the second.",
        body_en="Scheduled.",
        status=Article.Status.PUBLISHED,
        published_at=at,
        author=old.author,
    )
    path = f"/en/posts/{article.slug}/"
    page = hub = None
    while (page is None or hub is None) and timezone.now() < at + timedelta(seconds=10):
        status, _headers, _body = connection.get(path)
        if page is None and status == 200:
            page = (timezone.now() - at).total_seconds()
        _status, _headers, body = connection.get("/en/", {})  # plain, to read its links
        if hub is None and article.slug.encode() in body:
            hub = (timezone.now() - at).total_seconds()
        time.sleep(0.02)
    return page, hub


# --- results -------------------------------------------------------------------------------


def errors_text(errors):
    text = ", ".join(f"{count}× {status or 'connection'}" for status, count in errors.items())
    return text or "0"


def crawl_table(result):
    lines = [
        "| pages | count | p50 ms | p99 ms | max ms | rendered by the app | non-200 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in [*result["kinds"].items(), ("all", result)]:
        lines.append(
            f"| {name} | {row['count']:,} | {row['p50']:.0f} | {row['p99']:.0f} | "
            f"{row['max']:.0f} | {row['rendered']:.0%} | {errors_text(row['errors'])} |"
        )
    return lines


START, END = "<!-- crawl-and-publish -->", "<!-- /crawl-and-publish -->"


def write_results(addresses, first, second, load, gone, scheduled):
    cores = os.cpu_count()
    before, during = load["before"], load["during"]
    watched = load["watched"]
    shown = {path: count for path, count in watched.items() if count}
    lines = (
        []
        if first is None
        else [
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {cores} cores shared with other work "
            "(the load average beside each figure). `make prod`'s topology on free ports: nginx "
            "(cache-purge module) → two gunicorn app servers of 2 sync workers → PostgreSQL, "
            "Redis; the two task workers. "
            f"bench/dataset.py's {ARTICLES:,} articles (half translated), "
            "every cache cold at the start.",
            "",
            f"### Crawl: {len(addresses):,} distinct public addresses, each once, shuffled, "
            f"{CRAWL_CONNECTIONS} connections",
            "",
            "The list is the site's own: robots.txt → sitemap.xml (every `<loc>` and hreflang "
            "alternate), then page 1 of every listing in it for its feeds (`<link rel=alternate>`) "
            'and its page count (rel=next, "Page 1 of N"). Fetched without touching any cache '
            "(with credentials, which nginx and the page cache both pass by).",
            "",
            *(
                [
                    f"BENCH_CRAWL_SECONDS={CRAWL_SECONDS:.0f} cut the first crawl at "
                    f"{first['count']:,} of {len(addresses):,} addresses "
                    f"({first['count'] / len(addresses):.0%}, a uniform sample: the order is "
                    f"shuffled); the whole list at its rate would take "
                    f"{len(addresses) / first['rate'] / 60:.0f} min.",
                    "",
                ]
                if first["count"] < len(addresses)
                else []
            ),
            f"- **First crawl (cold)**: {first['count']:,} pages in {first['seconds']:.0f} s, "
            f"**{first['rate']:.0f} pages/s**, p50 {first['p50']:.0f} ms, **p99 "
            f"{first['p99']:.0f} ms**, errors: {errors_text(first['errors'])}; **rendered by the "
            f"app: {first['rendered']:.1%}**. Load average {first['load'][0]:.1f} → "
            f"{first['load'][1]:.1f}; the crawler's own CPU {first['client_cpu']:.1f} s.",
            f"- **Second crawl (the same list reshuffled, right after)**: {second['rate']:.0f} "
            f"pages/s, p50 {second['p50']:.1f} ms, p99 {second['p99']:.0f} ms, errors: "
            f"{errors_text(second['errors'])}; rendered by the app: {second['rendered']:.1%} "
            f"(nginx: {dict(second['cache'])}). Load average {second['load'][0]:.1f} → "
            f"{second['load'][1]:.1f}.",
            "",
            "First crawl by page type:",
            "",
            *crawl_table(first),
            "",
            "Slowest answers of the first crawl: "
            + ", ".join(f"`{r[0]}` {r[2] * 1000:.0f} ms" for r in first["slowest"])
            + ".",
        ]
    )
    publish_lines = [
        f"### Publish under load: {LOAD_CONNECTIONS} connections on the 20 hottest pages, "
        f"an article published every {PUBLISH_EVERY} s",
        "",
        "wrk over " + ", ".join(f"`{page}`" for page in load["pages"]) + ".",
        "",
        "| phase | requests/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors "
        "| renders seen by readers |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| before ({BEFORE_SECONDS} s, load {load['load'][0]:.1f}) | {before['rate']:.0f} | "
        f"{before['p50']:.2f} | {before['p90']:.2f} | {before['p99']:.2f} | "
        f"{before['p99.9']:.0f} | {before['max']:.0f} | {before['errors']}"
        f"{' ' + before['socket_errors'] if before['socket_errors'] else ''} | "
        f"{before['renders']} |",
        f"| during ({LOAD_SECONDS} s, {load['publishes']} publishes, load "
        f"{load['load'][1]:.1f}) | {during['rate']:.0f} | {during['p50']:.2f} | "
        f"{during['p90']:.2f} | {during['p99']:.2f} | {during['p99.9']:.0f} | "
        f"{during['max']:.0f} | {during['errors']}"
        f"{' ' + during['socket_errors'] if during['socket_errors'] else ''} | "
        f"{during['renders']} |",
        "",
        f"- p99 during / before: **{during['p99'] / before['p99']:.1f}x** (target ≤ 2x); "
        f"errors {before['errors'] + during['errors']} (target 0).",
        f"- Renders per publish among the hot pages: **{during['renders'] / load['publishes']:.1f}"
        f"** seen by readers (answers that came from neither cache); by page (a watcher "
        f"reading each page's Last-Modified), over {load['publishes']} publishes: "
        + (", ".join(f"`{path}` {count}" for path, count in shown.items()) or "none")
        + f"; never re-rendered: {len(watched) - len(shown)} of {len(watched)} pages"
        + (
            " (" + ", ".join(f"`{path}`" for path, count in watched.items() if not count) + ")"
            if len(shown) < len(watched)
            else ""
        )
        + ".",
        "",
        "### Withdrawal and schedule through nginx",
        "",
        "- An unpublished article's page (a HIT in nginx until then) answers 404 "
        + ", ".join(f"{seconds:.2f} s" for seconds in gone)
        + " after the editor's save (target < 1 s).",
        "- A scheduled article (its time on a whole second, 6 s ahead), seconds after its time "
        "when nginx first answered its page / the hub first listed it: "
        + ", ".join(
            f"{page:+.2f} s / {hub:+.2f} s" if page is not None and hub is not None else "never"
            for page, hub in scheduled
        )
        + " (target: never before, within the second).",
    ]
    if first is None:
        # BENCH_CRAWL=0: the crawl figures already in the section stay.
        current = RESULTS.read_text().split(START, 1)[1].split(END, 1)[0]
        crawl_part = current.split("### Publish under load", 1)[0].strip("\n")
        run = (
            "Publish under load, withdrawal and schedule run "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC with BENCH_CRAWL=0 (no crawl before "
            f"them), {ARTICLES:,} articles, on "
            f"{cores} cores shared with other work."
        )
        text = "\n".join([crawl_part, "", *publish_lines[:2], run, "", *publish_lines[2:]])
    else:
        text = "\n".join([*lines, "", *publish_lines])
        text = "## Crawl and publish under load (`make bench-crawl`)\n\n" + text
    write_section(START, END, text)
    print(text)


def main():
    env = environment()
    prepare(env)
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as directory:
        run_dir = Path(directory) / "prod"
        process, base = start_site(env, run_dir)
        try:
            setup_django(env, base, run_dir)
            settle()
            addresses = first = second = None
            if CRAWL:
                started = time.monotonic()
                addresses = discover(base)
                print(
                    f"{len(addresses):,} addresses found in {time.monotonic() - started:.0f} s",
                    flush=True,
                )
                first = crawl(base, addresses, seed=1)
                # The same addresses again (those the first reached, when BENCH_CRAWL_SECONDS
                # cut it).
                second = crawl(base, [record[0] for record in first["records"]], seed=2)
                settle()
            load = publish_under_load(base, directory)
            gone = [unpublished_gone(base, article) for article in load["articles"][-3:]]
            scheduled = [scheduled_on_time(base, number) for number in range(2)]
        finally:
            stop_site(process)
    write_results(addresses, first, second, load, gone, scheduled)


if __name__ == "__main__":
    main()
