from modeltranslation.translator import TranslationOptions, register

from newsletter.models import Issue


@register(Issue)
class IssueTranslationOptions(TranslationOptions):
    fields = ("subject", "intro")
    required_languages = {"en": ("subject",)}
