from django.contrib import admin

from hugo_import.models import ImportedPost
from sitewide.languages import in_every_language

ARTICLE_TITLES = [f"article__{field}" for field in in_every_language("title")]


@admin.register(ImportedPost)
class ImportedPostAdmin(admin.ModelAdmin):
    """What the importer wrote down; editing it by hand would only confuse the next import."""

    list_display = ["source_path", "article", "lastmod", "imported_at"]
    search_fields = ["source_path", "article__slug", *ARTICLE_TITLES]
    list_select_related = ["article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
