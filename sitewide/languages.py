"""The site's languages (settings.LANGUAGES decides) and the order a missing text is looked
for in: the page's own language first, then the others as settings list them."""

from django.conf import settings
from django.utils.translation import get_language, get_language_info
from modeltranslation.utils import build_localized_fieldname as localized


def site_languages():
    return [code for code, _name in settings.LANGUAGES]


# modeltranslation's fallback for content that exists in one language or more (articles,
# series, tags, authors): a text missing in the page's language is looked for in every other.
CONTENT_FALLBACK = {"default": tuple(site_languages())}


def current_language():
    language = get_language()
    return language if language in site_languages() else settings.LANGUAGE_CODE


def fallback_order(language=None):
    language = language or current_language()
    return [language, *(code for code in site_languages() if code != language)]


def in_every_language(*fields):
    """Each field's column in every site language (title_en, title_ru…), for the admin's
    search_fields."""
    return [localized(field, code) for field in fields for code in site_languages()]


def shown_language(obj, field, language=None):
    """The language whose text `obj.field` shows on this page (or on `language`'s): its own,
    or the first other language that has it (modeltranslation's fallback order); None when
    none has."""
    for code in fallback_order(language):
        if getattr(obj, localized(field, code), None):
            return code
    return None


def shown_with(obj, field, anchor, language=None):
    """`obj.field` in the language `obj.anchor` is shown in, or "" when that language has none.

    A summary goes with its title: under an English title, a summary missing in English is
    missing, never the Russian one that modeltranslation's fallback would show.
    """
    code = shown_language(obj, anchor, language)
    return (getattr(obj, localized(field, code), None) or "") if code else ""


def edition_names():
    """(code, name in its own language) for each edition: «Русский» reads the same to
    every editor, whatever the admin's language."""
    return [(code, get_language_info(code)["name_local"]) for code in site_languages()]
