from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article, require_one_language
from articles.querysets import CARD_SKIPS, live_q
from articles.rendering import render_article_body
from sitewide.changes import ChangeAnnouncing, changed, list_keys
from sitewide.images import content_addressed_storage
from sitewide.languages import fallback_order

# Renumbering first moves every part past this, so no two parts ever share a position.
RENUMBER_OFFSET = 1_000_000


def reading_minutes_expression(prefix):
    """Reading time in the active language, else in the language the page falls back to."""
    columns = [
        NullIf(F(f"{prefix}{localized('reading_minutes', code)}"), 0) for code in fallback_order()
    ]
    if len(columns) == 1:
        return columns[0]
    return Coalesce(*columns, output_field=models.IntegerField())


class SeriesQuerySet(models.QuerySet):
    def with_live_stats(self):
        """Only series with a live part, with their live part count, reading time and last date."""
        live = live_q("parts__article__")
        return (
            self.annotate(
                live_parts=Count("parts", filter=live),
                total_minutes=Sum(reading_minutes_expression("parts__article__"), filter=live),
                latest_published_at=Max("parts__article__published_at", filter=live),
            )
            .filter(live_parts__gt=0)
            .order_by("-latest_published_at")
        )


# The series list's own key (series/views.py): which series it shows changes only when a
# series, a part, or a part's place in the lists (published, withdrawn, rescheduled) does.
SERIES_LIST_KEY = "series-list"


class Series(ChangeAnnouncing):
    # Blank: a series may exist in one language only (clean() asks for one).
    title = models.CharField(_("title"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    intro = MarkdownxField(_("introduction"), blank=True)
    intro_html = models.TextField(editable=False, blank=True)
    cover_image = models.ImageField(
        _("cover image"), upload_to="covers/", storage=content_addressed_storage, blank=True
    )
    cover_alt = models.CharField(_("cover image description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("series:detail", kwargs={"slug": self.slug})

    def change_keys(self):
        return [f"series:{self.pk}", SERIES_LIST_KEY, *list_keys()]

    def clean(self):
        require_one_language(self, "title", _("Give the series a title in at least one language."))

    def render(self):
        for lang, _name in settings.LANGUAGES:
            text = getattr(self, localized("intro", lang)) or ""
            setattr(self, localized("intro_html", lang), render_article_body(text).html)

    @classmethod
    def rerender_all(cls):
        """Render every series intro again; [(pk, slug, languages whose intro changed)]."""
        languages = [lang for lang, _name in settings.LANGUAGES]
        changed = []
        for series in cls.objects.all():
            before = [getattr(series, localized("intro_html", lang)) for lang in languages]
            series.render()
            after = [getattr(series, localized("intro_html", lang)) for lang in languages]
            differs = [
                lang for lang, old, new in zip(languages, before, after, strict=True) if old != new
            ]
            if differs:
                cls.objects.filter(pk=series.pk).update(
                    **{
                        localized("intro_html", lang): getattr(
                            series, localized("intro_html", lang)
                        )
                        for lang in differs
                    }
                )
                changed.append((series.pk, series.slug, differs))
        return changed

    def live_parts(self):
        return (
            self.parts.filter(live_q("article__"))
            .select_related("article__author")
            .defer(*(f"article__{field}" for field in CARD_SKIPS))
            .order_by("position")
        )

    def next_scheduled_at(self):
        """When the next part goes live: its date only, never its title."""
        return (
            self.parts.filter(article__in=Article.objects.scheduled())
            .order_by("article__published_at")
            .values_list("article__published_at", flat=True)
            .first()
        )

    @transaction.atomic
    def renumber(self, parts):
        """Store `parts` at positions 1, 2, 3… in the order given."""
        self.parts.update(position=F("position") + RENUMBER_OFFSET)
        changed(*self.change_keys())
        for number, part in enumerate(parts, start=1):
            part.series = self
            part.position = number
            part.save()


class SeriesPart(ChangeAnnouncing):
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="parts", verbose_name=_("series")
    )
    # One-to-one: an article belongs to at most one series.
    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="series_part", verbose_name=_("article")
    )
    position = models.PositiveIntegerField(
        _("position"), help_text=_("Reading order; renumbered 1, 2, 3… on save.")
    )

    class Meta:
        ordering = ["series", "position"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "position"], name="series_part_unique_position"
            )
        ]

    def __str__(self):
        return f"{self.series} · {self.position}: {self.article}"

    def change_keys(self):
        # The article's strip and card name its series and part number.
        return [
            f"series:{self.series_id}",
            f"article:{self.article_id}",
            SERIES_LIST_KEY,
            *list_keys(),
        ]

    def shown_keys(self):
        return [f"series:{self.series_id}"]
