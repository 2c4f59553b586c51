from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext, gettext_noop, override
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname as localized

from sitewide.changes import changed
from sitewide.languages import site_languages

SETTINGS_CACHE_SECONDS = 300
# Our own wording in the shape of the seed pages, in the default language; each other edition
# starts from its catalogue's translation (sitewide/locale). Editors change it in the admin.
DEFAULT_TEXTS = {
    "name": gettext_noop("Engineering insights"),
    "tagline": gettext_noop(
        "Practical write-ups on building, running and scaling software systems."
    ),
    "newsletter_heading": gettext_noop("Stay ahead"),
    "newsletter_pitch": gettext_noop(
        "Weekly deep dives into how software systems are built, run and scaled."
    ),
}


def translated_defaults():
    """DEFAULT_TEXTS in each other site language whose catalogue translates them."""
    values = {}
    for code in site_languages():
        if code == settings.LANGUAGE_CODE:
            continue  # the fields' own defaults
        with override(code):
            for field, text in DEFAULT_TEXTS.items():
                if (translated := gettext(text)) != text:
                    values[localized(field, code)] = translated
    return values


class SiteSettings(models.Model):
    """The site's name and pitch, editable per language; one row, created on first use."""

    CACHE_KEY = "site-settings"

    name = models.CharField(_("site name"), max_length=80, default=DEFAULT_TEXTS["name"])
    tagline = models.CharField(_("tagline"), max_length=200, default=DEFAULT_TEXTS["tagline"])
    newsletter_heading = models.CharField(
        _("newsletter heading"), max_length=80, default=DEFAULT_TEXTS["newsletter_heading"]
    )
    newsletter_pitch = models.CharField(
        _("newsletter pitch"), max_length=300, default=DEFAULT_TEXTS["newsletter_pitch"]
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        # The row made by the first page that reads it holds what that page shows: no change.
        created = self._state.adding
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)
        if not created:
            changed("settings")

    @classmethod
    def load(cls):
        settings_row = cache.get(cls.CACHE_KEY)
        if settings_row is None:
            settings_row, _created = cls.objects.get_or_create(pk=1, defaults=translated_defaults())
            # Django's cache with an expiry rather than django-solo: one row needs no library,
            # and the expiry bounds a stale copy an app server missed the delete of.
            cache.set(cls.CACHE_KEY, settings_row, timeout=SETTINGS_CACHE_SECONDS)
        return settings_row


class PendingInvalidation(models.Model):
    """A change not yet delivered to the page caches (Redis down, a proxy not answering).

    Kept in the database so that no restart can lose it: while a row still has `keys`, no
    process answers pages from its cache (sitewide/pagecache.py); the worker delivers rows in
    order and retries what failed (sitewide/tasks.py).
    """

    keys = models.JSONField(default=list)
    # True once the page cache has it; the proxies are purged after that.
    delivered = models.BooleanField(default=False)
    # The addresses of the pages that showed the keys, for the proxies.
    urls = models.JSONField(default=list)
    # The proxies' second purge of the same pages, shortly after the first: a copy the proxy
    # was still writing (a response sent just before the change) escapes the first one.
    second_pass = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return ", ".join(self.keys)


class PageAddress(models.Model):
    """An address a proxy in front keeps a page under, by each key the page shows: what a
    change to the key must purge there (sitewide/pagestore.py, sitewide/purge.py).

    In the database, not in Redis beside the pages: Redis drops keys at random when full (the
    LRU cap that keeps pages), and a lost address would be a page nginx keeps showing for an
    hour after a change. Written only where a purger is configured, when a page is stored.
    """

    key = models.CharField(max_length=200)
    url = models.TextField()
    # The key and address as one short value, for the unique index (an address may be long).
    url_digest = models.CharField(max_length=64)
    # The page-store sequence its render started at: an invalidation numbered above it came
    # later, so it may have shown what that one changed (sitewide/pagestore.py, pop_urls).
    sequence = models.BigIntegerField()
    # After this no proxy keeps the page: the row is dropped.
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "url_digest"], name="page_address_once")
        ]

    def __str__(self):
        return f"{self.key} {self.url}"
