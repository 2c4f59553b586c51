"""Changelist filters for editors: the derived state and translation completeness."""

from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Article.State.choices

    def queryset(self, request, queryset):
        match self.value():
            case Article.State.SCHEDULED:
                return queryset.scheduled()
            case Article.State.LIVE:
                return queryset.live()
            case Article.State.DRAFT | Article.State.REVIEW:
                return queryset.filter(status=self.value())
        return queryset


def translated(language):
    """Title and body written in that language; NULL and empty both count as missing."""
    return Q(**{f"{localized('title', language)}__gt": ""}) & Q(
        **{f"{localized('body', language)}__gt": ""}
    )


class TranslationFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        choices = []
        # Every language, the default one too: an article may be written in any one of them.
        for code, _name in settings.LANGUAGES:
            name = get_language_info(code)["name_translated"]
            choices.append((code, _("%(language)s ✓") % {"language": name}))
            choices.append((f"-{code}", _("%(language)s ✗") % {"language": name}))
        choices.append(("behind", _("Translation behind the English")))
        return choices

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value == "behind":
            return queryset.filter(translation_behind_since__isnull=False)
        language = value.removeprefix("-")
        if language not in dict(settings.LANGUAGES):
            return queryset
        if value.startswith("-"):
            return queryset.exclude(translated(language))
        return queryset.filter(translated(language))
