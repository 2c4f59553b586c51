from modeltranslation.translator import TranslationOptions, register

from series.models import Series


@register(Series)
class SeriesTranslationOptions(TranslationOptions):
    fields = ("title", "intro", "intro_html", "cover_alt")
