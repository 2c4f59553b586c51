"""Purging the shared caches in front of the site when pages change.

A change hands the purger what it invalidated: the keys (`article:42`, `list:en`, `*`) and the
addresses of the pages that showed them (sitewide/pagestore.py). Each adapter takes what its
cache understands:

- `NginxPurger` (make prod): nginx's cache-purge module (Debian's
  libnginx-mod-http-cache-purge) removes one cache key at a time, so every address is asked
  for on an internal `/_purge` location that only the app servers reach (deploy/nginx.conf).
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
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

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
    """The page's keys as a CDN tag header's value (no spaces or commas inside a tag)."""
    return ",".join(sorted(key.replace(":", "-") for key in keys))


class NginxPurger(Purger):
    """One request per address and variant to nginx's purge location; a 404 there means nginx
    held no copy, which is what a purge wants too."""

    # nginx keeps an article's ActivityPub object apart from its HTML (deploy/nginx.conf).
    VARIANTS = ("", ":activitypub")

    def purge(self, keys, urls):
        failed = []
        for url in sorted(urls):
            parts = urlsplit(url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            for variant in self.VARIANTS:
                if not self._purge_one(target + variant):
                    failed.append(url)
        if failed:
            raise PurgeError(f"nginx did not purge {len(failed)} addresses: {failed[:3]}")

    def _purge_one(self, key):
        # The URL is the operator's setting, never a reader's input.
        request = urllib.request.Request(  # noqa: S310
            settings.PAGE_PURGE_URL, headers={"X-Purge-Key": key}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):  # noqa: S310
                return True
        except urllib.error.HTTPError as error:
            return error.code == 404
        except OSError as error:
            logger.warning("Purge of %s failed: %s", key, error)
            return False


class CloudflarePurger(Purger):
    """POST /zones/{zone}/purge_cache with {"tags": [...]} (Cloudflare's purge by Cache-Tag;
    at most 30 tags per call). PAGE_PURGE_URL is the zone's purge_cache endpoint,
    PAGE_PURGE_TOKEN an API token allowed to purge it."""

    by_address = False

    BATCH = 30

    def purge(self, keys, urls):
        tags = header_tags(keys).split(",")
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
