from django.db import models
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
