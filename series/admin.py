from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from markdownx.admin import MarkdownxModelAdmin
from modeltranslation.admin import TabbedTranslationAdmin
from modeltranslation.utils import build_localized_fieldname as localized

from articles.admin import IMAGE_FIELDS, ArticleAdmin
from series.models import Series, SeriesPart
from sitewide.languages import current_language, in_every_language


class SeriesPartForm(forms.ModelForm):
    def _get_validation_exclusions(self):
        # Positions are sort keys renumbered on save: swapping two parts must not be refused.
        exclude = super()._get_validation_exclusions()
        exclude.add("position")
        return exclude


class SeriesPartInline(admin.TabularInline):
    model = SeriesPart
    form = SeriesPartForm
    extra = 1
    ordering = ["position"]
    autocomplete_fields = ["article"]
    fields = ["position", "article", "article_state"]
    readonly_fields = ["article_state"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    @admin.display(description=_("state"))
    def article_state(self, part):
        # Only live parts are counted and linked on the site; show editors which those are.
        return part.article.state.label if part.pk else "—"


@admin.register(Series)
class SeriesAdmin(TabbedTranslationAdmin, MarkdownxModelAdmin):
    list_display = ["title", "slug", "part_count"]
    search_fields = in_every_language("title")

    def get_prepopulated_fields(self, request, obj=None):
        # From the title in the admin's language, the tab that opens first (Cyrillic → Latin).
        return {"slug": [localized("title", current_language())]}

    inlines = [SeriesPartInline]
    # The cover is checked by content as an article's is (it is stored the same way).
    formfield_overrides = {**MarkdownxModelAdmin.formfield_overrides, **IMAGE_FIELDS}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(part_count=Count("parts"))

    @admin.display(description=_("parts"), ordering="part_count")
    def part_count(self, series):
        return series.part_count

    def save_formset(self, request, form, formset, change):
        if formset.model is not SeriesPart:
            return super().save_formset(request, form, formset, change)
        series = form.instance
        edited = formset.save(commit=False)
        for part in formset.deleted_objects:
            part.delete()
        # Positions are sort keys from the editor; store them as 1..N, gaps closed.
        by_pk = {part.pk: part for part in edited if part.pk}
        parts = [by_pk.get(part.pk, part) for part in series.parts.order_by("position")]
        parts += [part for part in edited if not part.pk]
        series.renumber(sorted(parts, key=lambda part: part.position))
        formset.save_m2m()
        return None


class SeriesFilter(admin.SimpleListFilter):
    title = _("series")
    parameter_name = "series"

    def lookups(self, request, model_admin):
        return [(series.pk, series.title) for series in Series.objects.all()]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(series_part__series=self.value())


# The article admin lives in the core app, which knows nothing of series: add the filter here.
ArticleAdmin.list_filter = [*ArticleAdmin.list_filter, SeriesFilter]
