from modeltranslation.translator import TranslationOptions, register

from sitewide.models import SiteSettings


@register(SiteSettings)
class SiteSettingsTranslationOptions(TranslationOptions):
    fields = ("name", "tagline", "newsletter_heading", "newsletter_pitch")
