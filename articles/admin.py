from django.contrib import admin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from markdownx.admin import MarkdownxModelAdmin
from modeltranslation.admin import TabbedTranslationAdmin

from articles.models import Article, Author, SiteSettings, Tag


@admin.register(Author)
class AuthorAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name_en", "name_ru"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Article)
class ArticleAdmin(TabbedTranslationAdmin, MarkdownxModelAdmin):
    list_display = ["title", "author", "status", "published_at", "has_russian"]
    list_filter = ["status", "author", "tags"]
    search_fields = ["title_en", "title_ru", "summary_en", "summary_ru"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["author"]
    filter_horizontal = ["tags"]
    list_select_related = ["author"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        (_("Cover"), {"fields": ["cover_image", "cover_alt"]}),
        (_("Publishing"), {"fields": ["author", "tags", "status", "published_at"]}),
    ]

    @admin.display(boolean=True, description=_("Russian"))
    def has_russian(self, article):
        return bool(article.title_ru and article.body_ru)


@admin.register(SiteSettings)
class SiteSettingsAdmin(TabbedTranslationAdmin):
    fields = ["name", "tagline", "newsletter_heading", "newsletter_pitch"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One row only: go straight to editing it.
        settings_row = SiteSettings.load()
        return redirect("admin:articles_sitesettings_change", settings_row.pk)
