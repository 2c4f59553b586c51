from django.conf import settings
from modeltranslation.translator import TranslationOptions, register

from newsletter.models import Issue


@register(Issue)
class IssueTranslationOptions(TranslationOptions):
    fields = ("subject", "intro")
    # Every issue has a subject in the site's default language, the one others fall back to.
    required_languages = {settings.LANGUAGE_CODE: ("subject",)}
