"""Purging the shared caches in front of the site when pages change.

A change hands the purger what it invalidated: the keys (`article:42`, `list:en`, `*`) and the
addresses of the pages that showed them (sitewide/pagestore.py). Each adapter takes what its
cache understands:

- `NginxPurger` (make prod): refreshes in place the pages most likely read (nginx fetches
  each anew from the app servers and replaces its copy, so readers keep getting the old copy
  for the few ms of the render instead of queueing behind it), and purges the rest with
  nginx's cache-purge module (Debian's libnginx-mod-http-cache-purge), one cache key at a
  time; both on nginx's internal purge port, which only this machine reaches
  (deploy/nginx.conf).
- `CloudflarePurger` and `FastlyPurger`: a CDN purges by tag. Pages carry their keys in a
  response header (`Cache-Tag` for Cloudflare, `Surrogate-Key` for Fastly; set
  PAGE_PURGE_TAG_HEADER), and one API call purges every page with any of the keys. They are
  written from the providers' API documentation and have not been run against either.

PAGE_PURGER names the adapter (a dotted path; empty: no proxy to purge). A purge that fails
raises; sitewide/tasks.py keeps it in the database and tries again, and a save never waits
for it.
"""

import json
import logging
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from sitewide.changes import ADDRESS_PREFIX

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5


class PurgeError(RuntimeError):
    pass


class Purger:
    # Whether it purges pages by address: then every stored page's address is kept by each key
    # it shows (sitewide/pagestore.py); a CDN purges by the keys in a header instead.
    by_address = True

    def purge(self, keys, urls):
        raise NotImplementedError


def purger():
    path = getattr(settings, "PAGE_PURGER", "")
    return import_string(path)() if path else None


def header_tags(keys):
    """The page's keys as a CDN tag header's value (no spaces or commas inside a tag); a
    change's own addresses (`address:…`) are no page's tag."""
    return ",".join(
        sorted(key.replace(":", "-") for key in keys if not key.startswith(ADDRESS_PREFIX))
    )


class NginxPurger(Purger):
    """Per address: a refresh in place (up to PAGE_REFRESH_LIMIT of a change's addresses) or
    a purge (the rest, and whatever a refresh could not replace); then a purge of its
    ActivityPub variant, which nginx keeps under its own key (deploy/nginx.conf) and which
    fediverse servers read too rarely to be worth a render.

    A refresh is a GET of the address on the purge port, where nginx proxies it to the app
    servers with `proxy_cache_bypass` into the same cache zone under the same key: the answer
    replaces the stored copy, and readers are answered the old copy until then. The app's own
    page cache was invalidated before (sitewide/tasks.py), so the answer is the page as it is
    now: a withdrawn article's 404 (which nginx keeps a second) replaces its page. An answer
    nginx would not keep (an error, a timeout, private or no-cache: a scheduled article due
    within the second) leaves the old copy in place, so that address is purged instead: a
    withdrawn article is never served late.
    """

    ACTIVITYPUB = ":activitypub"
    # What nginx keeps of an answer to a refresh (pagecache.SHORT_LIVED_STATUSES that may
    # stand for a withdrawn page, and the page itself); anything else is purged after it.
    KEPT_STATUSES = {200, 404}

    def purge(self, keys, urls):
        named = {key.removeprefix(ADDRESS_PREFIX) for key in keys if key.startswith(ADDRESS_PREFIX)}
        targets = {target(url) for url in urls}
        # The change's own addresses first (a withdrawn article's page), then by how near the
        # front of the site they are: the hub, its feeds, the indexes and the hub's second page
        # are what readers ask for most; page 37 of an archive or one tag's page is read by a
        # crawler (after a crawl, a change names thousands of those).
        ordered = sorted(
            targets, key=lambda path: (path not in named, depth(path), len(path), path)
        )
        # A cap, because a refresh is a render the worker asks for now, while a purge costs
        # nothing until a reader asks: a tag renamed or the site's name changed touches
        # hundreds or thousands of addresses, and refreshing them all would be a storm of
        # renders on the app servers that readers' own misses queue behind, with the last page
        # replaced long after the change (stale until then). The few dozen most read are
        # refreshed; the rest are purged at once and rendered when a reader asks.
        limit = settings.PAGE_REFRESH_LIMIT
        readers = [path for path in ordered if not for_crawlers(path)]
        refresh = readers[:limit]
        purge = [path for path in ordered if path not in refresh]
        with ThreadPoolExecutor(max_workers=REFRESH_CONCURRENCY) as pool:
            refreshed = dict(zip(refresh, pool.map(self._refresh_one, refresh), strict=True))
        for path in refresh:
            if not refreshed[path]:
                purge.append(path)
        # Purges several at a time: each is a request nginx answers from its own index, and
        # one change after a crawl may name thousands of listing pages, which one at a time
        # held the next change (a withdrawal) back by seconds.
        purged = [*purge, *(path + self.ACTIVITYPUB for path in ordered)]
        with ThreadPoolExecutor(max_workers=PURGE_CONCURRENCY) as pool:
            done = pool.map(self._purge_one, purged)
            failed = [key for key, ok in zip(purged, done, strict=True) if not ok]
        if failed:
            raise PurgeError(f"nginx did not purge {len(failed)} addresses: {failed[:3]}")

    def _refresh_one(self, path):
        """True when nginx replaced its copy of `path` with the app's answer."""
        base = urlsplit(settings.PAGE_PURGE_URL)
        # The URL is the operator's setting, never a reader's input; the path is one the site
        # stored a page under. The site's own host, which ALLOWED_HOSTS always has (the
        # purge port's is not a host the site serves).
        request = urllib.request.Request(  # noqa: S310
            f"{base.scheme}://{base.netloc}{path}",
            headers={"X-Refresh": "1", "Host": urlsplit(settings.SITE_URL).netloc},
        )
        try:
            with DIRECT.open(request, timeout=TIMEOUT_SECONDS) as response:
                response.read()
                return replaced(response.status, response.headers)
        except urllib.error.HTTPError as error:
            error.read()
            return replaced(error.code, error.headers)
        except OSError as error:
            logger.warning("Refresh of %s failed, purging it instead: %s", path, error)
            return False

    def _purge_one(self, key):
        # The URL is the operator's setting, never a reader's input.
        request = urllib.request.Request(  # noqa: S310
            settings.PAGE_PURGE_URL, headers={"X-Purge-Key": key}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):  # noqa: S310
                return True
        except urllib.error.HTTPError as error:
            # A 404 means nginx held no copy, which is what a purge wants too.
            return error.code == 404
        except OSError as error:
            logger.warning("Purge of %s failed: %s", key, error)
            return False


def for_crawlers(path):
    """A sitemap's address: read by search engines a few times a day, never by a reader, and
    changed by every publish (its pages list every article). Refreshed at each change, its
    pages (a quarter of a second of an app server each) would take the app servers from the
    readers' pages the refresh is for; purged, one is rendered when a crawler next asks."""
    return urlsplit(path).path.startswith("/sitemap")


def depth(path):
    """How far from the front page an address is: its path's segments, and a listing's page
    number beyond the first (`/en/?page=2` is as near as `/en/feed/`)."""
    address = urlsplit(path)
    pages = parse_qs(address.query).get("page", ["1"])[-1]
    page = int(pages) if pages.isdigit() else 1
    return len([part for part in address.path.split("/") if part]) + page - 1


# Refreshes under way at once: the app servers' workers are shared with readers' misses.
REFRESH_CONCURRENCY = 2
# Purges under way at once: nginx alone answers them.
PURGE_CONCURRENCY = 8


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """A refresh answered with a redirect (a renamed article) is that answer, not a fetch of
    where it points (the public address)."""

    def redirect_request(self, *args, **kwargs):
        return None


# Straight to nginx's purge port on this machine: no proxy from the environment, no redirect.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), KeepRedirects)


def target(url):
    """The address as nginx keys it (deploy/nginx.conf: `$request_uri`)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def replaced(status, headers):
    """Whether nginx kept the answer to a refresh in place of its copy: it came through the
    refresh location (BYPASS: an nginx.conf without it answers 404 on its own), and the app
    let shared caches keep it."""
    if headers.get("X-Cache-Status") != "BYPASS" or status not in NginxPurger.KEPT_STATUSES:
        return False
    if headers.get("Set-Cookie"):
        return False
    directives = {}
    for part in headers.get("Cache-Control", "").lower().split(","):
        name, _, value = part.strip().partition("=")
        directives[name] = value
    if {"private", "no-cache", "no-store"} & directives.keys():
        return False
    lifetime = directives.get("s-maxage", directives.get("max-age", "0"))
    return lifetime.isdigit() and int(lifetime) >= 1


class CloudflarePurger(Purger):
    """POST /zones/{zone}/purge_cache with {"tags": [...]} (Cloudflare's purge by Cache-Tag;
    at most 30 tags per call). PAGE_PURGE_URL is the zone's purge_cache endpoint,
    PAGE_PURGE_TOKEN an API token allowed to purge it."""

    by_address = False

    BATCH = 30

    def purge(self, keys, urls):
        tags = [tag for tag in header_tags(keys).split(",") if tag]
        for start in range(0, len(tags), self.BATCH):
            body = json.dumps({"tags": tags[start : start + self.BATCH]}).encode()
            post(
                settings.PAGE_PURGE_URL,
                body,
                {
                    "Authorization": f"Bearer {settings.PAGE_PURGE_TOKEN}",
                    "Content-Type": "application/json",
                },
            )


class FastlyPurger(Purger):
    """POST /service/{service}/purge with a Surrogate-Key header of space-separated keys
    (Fastly's purge by surrogate key). PAGE_PURGE_URL is the service's purge endpoint,
    PAGE_PURGE_TOKEN an API token."""

    by_address = False

    def purge(self, keys, urls):
        if not header_tags(keys):
            return
        post(
            settings.PAGE_PURGE_URL,
            b"",
            {
                "Fastly-Key": settings.PAGE_PURGE_TOKEN,
                "Surrogate-Key": header_tags(keys).replace(",", " "),
            },
        )


def post(url, body, headers):
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
    except OSError as error:
        raise PurgeError(f"{url}: {error}") from error
