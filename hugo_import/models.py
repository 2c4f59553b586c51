from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class ImportedPost(models.Model):
    """Which Hugo post an article came from, and the source it was last imported from."""

    # The translationKey, else the page's path without language and extension.
    source_key = models.CharField(_("source key"), max_length=500, unique=True)
    source_path = models.CharField(_("source file"), max_length=500)
    # A hash of the post's files: an unchanged source leaves the article (and admin edits) alone.
    source_hash = models.CharField(_("source hash"), max_length=64)
    # Hugo's lastmod, kept here: the article's own updated time drives cache invalidation.
    lastmod = models.DateTimeField(_("last modified in Hugo"), null=True, blank=True)
    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="hugo_source", verbose_name=_("article")
    )
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        verbose_name = _("imported Hugo post")
        verbose_name_plural = _("imported Hugo posts")

    def __str__(self):
        return self.source_path


class OldAddress(models.Model):
    """An address the Hugo site served, answered with a 301 to its counterpart here: an
    article (once it is live), or one of Hugo's list pages and feeds."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("article")
        HOME = "home", _("list of articles")
        FEED = "feed", _("feed")
        ARCHIVE = "archive", _("archive")
        SEARCH = "search", _("search")
        TAGS = "tags", _("tags")
        TAG = "tag", _("tag")
        TAG_FEED = "tag_feed", _("tag feed")
        SERIES_LIST = "series_list", _("series")
        SERIES = "series", _("one series")
        SERIES_FEED = "series_feed", _("series feed")
        AUTHORS = "authors", _("authors")
        AUTHOR = "author", _("author")
        AUTHOR_FEED = "author_feed", _("author feed")

    path = models.CharField(_("old address"), max_length=500, unique=True)
    kind = models.CharField(_("leads to"), max_length=16, choices=Kind, default=Kind.ARTICLE)
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="old_addresses",
        verbose_name=_("article"),
        null=True,
        blank=True,
    )
    # The tag's, series' or author's slug for their pages and feeds.
    slug = models.CharField(_("slug"), max_length=200, blank=True)
    # Where a numbered list page started (Hugo's page 3 of 5 a page): the same entries here.
    first_item = models.PositiveIntegerField(_("first entry"), default=0)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    class Meta:
        ordering = ["path"]
        verbose_name = _("old Hugo address")
        verbose_name_plural = _("old Hugo addresses")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="article", article__isnull=False)
                | (~Q(kind="article") & Q(article__isnull=True)),
                name="old_address_article_iff_kind_article",
            )
        ]

    def __str__(self):
        return self.path
