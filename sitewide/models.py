from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from sitewide.changes import changed

SETTINGS_CACHE_SECONDS = 300


class SiteSettings(models.Model):
    """The site's name and pitch, editable per language; one row, created on first use."""

    CACHE_KEY = "site-settings"

    name = models.CharField(_("site name"), max_length=80, default="Engineering insights")
    tagline = models.CharField(
        _("tagline"),
        max_length=200,
        default="Practical write-ups on building, running and scaling software systems.",
    )
    newsletter_heading = models.CharField(
        _("newsletter heading"), max_length=80, default="Stay ahead"
    )
    newsletter_pitch = models.CharField(
        _("newsletter pitch"),
        max_length=300,
        default="Weekly deep dives into how software systems are built, run and scaled.",
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
            settings_row, _created = cls.objects.get_or_create(pk=1, defaults=RUSSIAN_DEFAULTS)
            # Django's cache with an expiry rather than django-solo: one row needs no library,
            # and the expiry bounds a stale copy an app server missed the delete of.
            cache.set(cls.CACHE_KEY, settings_row, timeout=SETTINGS_CACHE_SECONDS)
        return settings_row


# Our own wording in the shape of the seed pages; editors change it in the admin.
RUSSIAN_DEFAULTS = {
    "name_ru": "Инженерные инсайты",
    "tagline_ru": "Практические разборы того, как строить, запускать и масштабировать "
    "программные системы.",
    "newsletter_heading_ru": "Будьте на шаг впереди",
    "newsletter_pitch_ru": "Еженедельные подробные разборы того, как строят, эксплуатируют "
    "и масштабируют программные системы.",
}


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
