from modeltranslation.translator import TranslationOptions, register

from series.models import Series
from sitewide.languages import CONTENT_FALLBACK


@register(Series)
class SeriesTranslationOptions(TranslationOptions):
    fields = ("title", "intro", "intro_html", "cover_alt")
    fallback_languages = CONTENT_FALLBACK
