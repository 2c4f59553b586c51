"""The site's languages (settings.LANGUAGES decides) and the order a missing text is looked
for in: the page's own language first, then the others as settings list them."""

from django.conf import settings
from django.utils.translation import get_language


def site_languages():
    return [code for code, _name in settings.LANGUAGES]


def current_language():
    language = get_language()
    return language if language in site_languages() else settings.LANGUAGE_CODE


def fallback_order(language=None):
    language = language or current_language()
    return [language, *(code for code in site_languages() if code != language)]
