from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _


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
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    @classmethod
    def load(cls):
        settings_row = cache.get(cls.CACHE_KEY)
        if settings_row is None:
            settings_row, _created = cls.objects.get_or_create(pk=1, defaults=RUSSIAN_DEFAULTS)
            cache.set(cls.CACHE_KEY, settings_row, timeout=None)
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
